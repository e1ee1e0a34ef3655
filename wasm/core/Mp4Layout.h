// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace avseg {

// [start, end) in bytes of a file.
struct ByteRange {
    int64_t start = 0;
    int64_t end = 0;
    bool operator==(const ByteRange& o) const { return start == o.start && end == o.end; }
};

// Sorts and joins overlapping or touching ranges; drops empty ones.
std::vector<ByteRange> mergeRanges(std::vector<ByteRange> ranges);

// Learns an MP4/MOV file's layout from bytes fed to it, in any order, and says which bytes it
// wants next (no I/O of its own): the caller fetches wants() in as few requests as it can and
// feeds them back until done(). Then mediaRanges() are the bytes of the audio track that a
// demuxer reads, and indexRanges() the boxes it reads besides. doc/read-plan.md describes the
// order of reads and what each file shape costs. Memory and work are bounded by the file's
// index boxes, which are capped in size; anything it cannot follow sets problem().
class Mp4Layout {
public:
    enum class Container { Undecided, Mp4, Unknown };

    explicit Mp4Layout(int64_t fileSize);

    // Bytes found at `start`. Extra or repeated bytes are fine; only what is wanted is kept.
    void feed(int64_t start, const uint8_t* data, size_t size);
    // Sorted, disjoint ranges not yet fed that the plan needs next; empty once done().
    std::vector<ByteRange> wants() const;

    Container container() const { return container_; }
    bool done() const;
    bool fragmented() const { return fragmented_; }
    // The fragments are found one hop at a time (no mfra, no sidx): one round trip each.
    bool hopByHop() const;
    const std::string& problem() const { return problem_; }
    // The chosen track's ID in its tkhd, or 0 when the file has no audio track.
    uint32_t audioTrackId() const { return audioTrackId_; }
    // The sample entry's four-character code of the chosen track (e.g. "mp4a"), or "".
    const std::string& audioCodec() const { return audioCodec_; }

    std::vector<ByteRange> mediaRanges() const { return mergeRanges(media_); }
    std::vector<ByteRange> indexRanges() const { return mergeRanges(index_); }

    // Largest moov, moof, sidx or mfra accepted: a bigger one is refused with a problem.
    static constexpr int64_t kMaxIndexBox = int64_t(256) << 20;
    // What is asked at a top-level box whose size is not known yet (a moof and its mdat header
    // fit in it; a larger moof is asked again for the rest). Once a moof has been read, twice its
    // size is asked instead, in steps of 4 KiB, up to this.
    static constexpr int64_t kProbeBytes = 16 << 10;
    // What is asked at the end of a fragmented file, for its mfro and mfra (at most 1/64 of it).
    static constexpr int64_t kTailBytes = 256 << 10;

private:
    struct Box {
        uint32_t type = 0;
        int64_t size = 0;      // clipped to the file's end when the box says "to the end"
        int header = 8;
    };
    struct Trex {
        uint32_t sampleDescriptionIndex = 0, duration = 0, size = 0, flags = 0;
    };
    // A moof read ahead of the walk (its offset came from tfra or sidx): what it yields.
    struct Fragment {
        Box box;
        bool parsed = false;
        std::vector<ByteRange> media;
    };

    bool bytes(int64_t start, int64_t size, std::vector<uint8_t>& out) const;
    bool header(int64_t at, Box& box) const;
    bool isIndexBox(uint32_t type) const;
    int64_t wantedEnd(int64_t at, const Box& box) const;

    void advance();
    void decide();
    void walk();
    void visit(int64_t at, const Box& box, const std::vector<uint8_t>& body);
    void readHints();
    void readTail();
    void trimStore();
    void fail(const std::string& why);

    void parseMoov(const uint8_t* p, size_t n);
    bool parseMoof(int64_t at, const uint8_t* p, size_t n, std::vector<ByteRange>& out) const;
    void parseSidx(int64_t at, const uint8_t* p, size_t n);
    void parseMfra(const uint8_t* p, size_t n);
    void addHint(int64_t at);
    void noteMoof(int64_t size);
    int64_t probeBytes() const;
    void addMedia(int64_t start, int64_t length);
    void addIndex(int64_t start, int64_t end);

    std::vector<ByteRange> pending(int64_t from, int64_t to) const;

    int64_t size_;
    Container container_ = Container::Undecided;
    std::string problem_;

    // Bytes kept: disjoint spans keyed by start.
    std::map<int64_t, std::vector<uint8_t>> store_;

    // The top-level walk: the next box to visit, and whether it has ended.
    int64_t walk_ = 0;
    bool walked_ = false;
    bool moovSeen_ = false;
    bool mdatSeen_ = false;
    bool fragmented_ = false;

    // The moov's findings.
    uint32_t audioTrackId_ = 0;
    std::string audioCodec_;
    std::map<uint32_t, Trex> trex_;

    // Offsets of top-level boxes learnt from tfra and sidx, read ahead of the walk.
    std::map<int64_t, Fragment> hints_;
    size_t parsed_ = 0;
    int64_t moofProbe_ = 0;        // what is asked at a moof's offset, once one moof was seen
    std::set<int64_t> bigOpen_;   // moofs or sidx read ahead whose header came but not the rest
    bool sidxSeen_ = false;
    bool mfraSeen_ = false;
    enum class Tail { Unasked, Asked, Mfra, Absent };
    Tail tail_ = Tail::Unasked;
    int64_t mfraSize_ = 0;

    std::vector<ByteRange> media_;
    std::vector<ByteRange> index_;
    size_t mediaCompacted_ = 0;
};

} // namespace avseg
