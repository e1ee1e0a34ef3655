// SPDX-License-Identifier: MIT
// libFuzzer harness: Mp4Layout planning a fuzzed file, fed the way a caller would. Layout:
//   byte 0  bits 0-1 the feeding: 0 all at once, 1 each round's wants in order, 2 reversed,
//           3 in pieces of (byte 1 + 1) bytes, last piece first
//   byte 1  piece size for mode 3
//   byte 2  zero bytes appended to the file, in KiB (a declared size beyond the data)
//   then the file's bytes.
// Invariants: wants() are sorted, disjoint, inside the file and never asked again once fed
// (every round makes progress, so a plan ends within the file's size in rounds); the ranges it
// reports are sorted, disjoint and inside the file; and the plan found round by round equals
// the one from the whole file fed at once (the order of feeding changes nothing).
#include "FuzzInput.h"
#include "Mp4Layout.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace avseg;
using avseg::fuzz::bug;

namespace {

constexpr const char* kName = "fuzz_mp4_layout";

void checkRanges(const std::vector<ByteRange>& ranges, int64_t size, const char* what)
{
    int64_t last = -1;
    for (const ByteRange& r : ranges) {
        if (r.start < 0 || r.end > size || r.start >= r.end || r.start <= last)
            bug(kName, std::string(what) + ": a range out of order, empty or outside the file");
        last = r.end;
    }
}

void feedPieces(Mp4Layout& layout, const std::vector<uint8_t>& file, int64_t start, int64_t end, size_t piece)
{
    std::vector<ByteRange> pieces;
    for (int64_t at = start; at < end; at += int64_t(piece))
        pieces.push_back({at, std::min(end, at + int64_t(piece))});
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it)
        layout.feed(it->start, file.data() + it->start, size_t(it->end - it->start));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3)
        return 0;
    const int mode = data[0] & 3;
    const size_t piece = size_t(data[1]) + 1;
    std::vector<uint8_t> file(data + 3, data + size);
    file.resize(file.size() + size_t(data[2]) * 1024, 0);
    const int64_t fileSize = int64_t(file.size());

    Mp4Layout whole(fileSize);
    whole.feed(0, file.data(), file.size());
    if (!whole.done())
        bug(kName, "the whole file fed, yet the plan is not done");
    if (!whole.wants().empty())
        bug(kName, "done, yet something is wanted");

    Mp4Layout layout(fileSize);
    if (mode == 0) {
        layout.feed(0, file.data(), file.size());
    } else {
        // Each round gains at least a box header, so the rounds are bounded by the size.
        const int64_t maxRounds = fileSize / 8 + 8;
        std::vector<ByteRange> previous;
        for (int64_t round = 0; !layout.done(); ++round) {
            std::vector<ByteRange> wants = layout.wants();
            checkRanges(wants, fileSize, "wants");
            if (wants.empty())
                bug(kName, "not done, yet nothing wanted");
            if (round > maxRounds)
                bug(kName, "more rounds than the file has box headers");
            for (const ByteRange& r : wants)
                for (const ByteRange& p : previous)
                    if (r.start < p.end && p.start < r.end)
                        bug(kName, "bytes fed in the last round are wanted again");
            previous = wants;
            if (mode == 2)
                std::reverse(wants.begin(), wants.end());
            for (const ByteRange& r : wants) {
                if (mode == 3)
                    feedPieces(layout, file, r.start, r.end, piece);
                else
                    layout.feed(r.start, file.data() + r.start, size_t(r.end - r.start));
            }
        }
    }
    if (!layout.wants().empty())
        bug(kName, "done, yet something is wanted");
    const std::vector<ByteRange> media = layout.mediaRanges();
    checkRanges(media, fileSize, "mediaRanges");
    checkRanges(layout.indexRanges(), fileSize, "indexRanges");
    if (!(media == whole.mediaRanges()))
        bug(kName, "the audio's bytes depend on the order the file was fed in");
    if (layout.problem() != whole.problem() || layout.container() != whole.container()
        || layout.fragmented() != whole.fragmented() || layout.audioTrackId() != whole.audioTrackId())
        bug(kName, "the plan depends on the order the file was fed in: '" + layout.problem() + "' vs '" + whole.problem() + "'");
    return 0;
}
