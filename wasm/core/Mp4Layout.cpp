// SPDX-License-Identifier: MIT
// Box names and fields: ISO/IEC 14496-12 (ISO base media file format); the choices where the
// FFmpeg mov demuxer reads a file its own way follow that demuxer (it is what reads the bytes).
#include "Mp4Layout.h"

#include <algorithm>
#include <cstring>

namespace avseg {

namespace {

constexpr uint32_t fourcc(const char (&s)[5])
{
    return uint32_t(uint8_t(s[0])) << 24 | uint32_t(uint8_t(s[1])) << 16 | uint32_t(uint8_t(s[2])) << 8 | uint8_t(s[3]);
}

std::string fourccText(uint32_t t)
{
    std::string s(4, ' ');
    for (int i = 0; i < 4; ++i) {
        const char c = char(t >> (24 - 8 * i));
        s[i] = c >= 32 && c < 127 ? c : '?';
    }
    return s;
}

// Most tfra/sidx offsets followed; past this the walk still finds the rest, hop by hop.
constexpr size_t kMaxHints = size_t(1) << 20;
// A file size beyond what a JS number holds exactly.
constexpr int64_t kMaxFileSize = int64_t(1) << 53;

// Big-endian fields of a box body, read with bounds: a short body reads as zeros and !ok.
struct Cursor {
    const uint8_t* p;
    size_t n;
    size_t at = 0;
    bool ok = true;

    bool has(size_t k) const { return ok && n - at >= k && at <= n; }
    uint64_t be(size_t k)
    {
        if (!has(k)) {
            ok = false;
            at = n;
            return 0;
        }
        uint64_t v = 0;
        for (size_t i = 0; i < k; ++i)
            v = v << 8 | p[at + i];
        at += k;
        return v;
    }
    uint32_t u8() { return uint32_t(be(1)); }
    uint32_t u16() { return uint32_t(be(2)); }
    uint32_t u32() { return uint32_t(be(4)); }
    uint64_t u64() { return be(8); }
    void skip(size_t k)
    {
        if (!has(k)) {
            ok = false;
            at = n;
        } else {
            at += k;
        }
    }
    size_t left() const { return ok ? n - at : 0; }
};

// The children of a box body, each as (type, body pointer, body size); stops at a malformed one.
template <class F>
void forEachChild(const uint8_t* p, size_t n, F&& f)
{
    size_t at = 0;
    while (n - at >= 8) {
        uint64_t size = uint64_t(p[at]) << 24 | uint64_t(p[at + 1]) << 16 | uint64_t(p[at + 2]) << 8 | p[at + 3];
        const uint32_t type = uint32_t(p[at + 4]) << 24 | uint32_t(p[at + 5]) << 16 | uint32_t(p[at + 6]) << 8 | p[at + 7];
        size_t header = 8;
        if (size == 1) {
            if (n - at < 16)
                return;
            size = 0;
            for (int i = 8; i < 16; ++i)
                size = size << 8 | p[at + i];
            header = 16;
        } else if (size == 0) {
            size = n - at;
        }
        if (size < header || size > n - at)
            return;
        f(type, p + at + header, size_t(size - header));
        at += size_t(size);
    }
}

const uint8_t* findChild(const uint8_t* p, size_t n, uint32_t want, size_t& size)
{
    const uint8_t* found = nullptr;
    forEachChild(p, n, [&](uint32_t type, const uint8_t* body, size_t len) {
        if (!found && type == want) {
            found = body;
            size = len;
        }
    });
    return found;
}

// The audio sample entry's facts that decide how the mov demuxer cuts chunks of raw PCM.
struct SoundEntry {
    uint32_t format = 0;
    int version = 0;
    uint32_t channels = 0, bits = 0;
    uint32_t samplesPerFrame = 0, bytesPerFrame = 0;
};

struct Track {
    uint32_t id = 0;
    bool enabled = false;
    uint32_t handler = 0;
    SoundEntry sound;
    const uint8_t* stsc = nullptr;
    size_t stscSize = 0;
    const uint8_t* stsz = nullptr;
    size_t stszSize = 0;
    bool stz2 = false;
    const uint8_t* stco = nullptr;
    size_t stcoSize = 0;
    bool co64 = false;
    uint32_t sttsEntries = 0, sttsFirstDelta = 0;
};

SoundEntry readSoundEntry(const uint8_t* stsd, size_t n)
{
    SoundEntry e;
    Cursor c{stsd, n};
    c.skip(4);
    if (c.u32() == 0)
        return e;
    const size_t entryStart = c.at;
    const uint32_t entrySize = c.u32();
    e.format = c.u32();
    if (!c.ok || entrySize < 36 || entrySize > n - entryStart)
        return e;
    Cursor s{stsd + entryStart + 8, entrySize - 8};
    s.skip(8);                    // reserved, data_reference_index
    e.version = int(s.u16());
    s.skip(6);                    // revision, vendor
    e.channels = s.u16();
    e.bits = s.u16();
    s.skip(8);                    // compression id, packet size, sample rate
    if (e.version == 1) {
        e.samplesPerFrame = s.u32();
        s.skip(4);
        e.bytesPerFrame = s.u32();
    } else if (e.version == 2) {
        s.skip(12);               // sizeOfStructOnly, audioSampleRate
        e.channels = s.u32();
        s.skip(4);
        e.bits = s.u32();
        s.skip(4);                // format-specific flags
        e.bytesPerFrame = s.u32();
        e.samplesPerFrame = s.u32();
    }
    if (!s.ok)
        e.samplesPerFrame = e.bytesPerFrame = 0;
    return e;
}

Track readTrak(const uint8_t* p, size_t n)
{
    Track t;
    size_t len = 0;
    if (const uint8_t* tkhd = findChild(p, n, fourcc("tkhd"), len)) {
        Cursor c{tkhd, len};
        const uint32_t version = c.u8();
        t.enabled = (c.be(3) & 1) != 0;
        c.skip(version == 1 ? 16 : 8);
        t.id = c.u32();
    }
    size_t mdiaSize = 0;
    const uint8_t* mdia = findChild(p, n, fourcc("mdia"), mdiaSize);
    if (!mdia)
        return t;
    if (const uint8_t* hdlr = findChild(mdia, mdiaSize, fourcc("hdlr"), len)) {
        Cursor c{hdlr, len};
        c.skip(8);
        t.handler = c.u32();
    }
    size_t minfSize = 0, stblSize = 0;
    const uint8_t* minf = findChild(mdia, mdiaSize, fourcc("minf"), minfSize);
    const uint8_t* stbl = minf ? findChild(minf, minfSize, fourcc("stbl"), stblSize) : nullptr;
    if (!stbl)
        return t;
    forEachChild(stbl, stblSize, [&](uint32_t type, const uint8_t* body, size_t size) {
        if (type == fourcc("stsd") && t.sound.format == 0)
            t.sound = readSoundEntry(body, size);
        else if (type == fourcc("stsc") && !t.stsc)
            t.stsc = body, t.stscSize = size;
        else if ((type == fourcc("stsz") || type == fourcc("stz2")) && !t.stsz)
            t.stsz = body, t.stszSize = size, t.stz2 = type == fourcc("stz2");
        else if ((type == fourcc("stco") || type == fourcc("co64")) && !t.stco)
            t.stco = body, t.stcoSize = size, t.co64 = type == fourcc("co64");
        else if (type == fourcc("stts")) {
            Cursor c{body, size};
            c.skip(4);
            t.sttsEntries = c.u32();
            c.skip(4);
            t.sttsFirstDelta = c.u32();
        }
    });
    return t;
}

// Bytes per sample of raw PCM sample entries, as the mov demuxer derives them from the entry.
uint32_t pcmBytesPerSample(const SoundEntry& e)
{
    uint32_t bits = 0;
    switch (e.format) {
    case fourcc("twos"):
    case fourcc("sowt"):
    case fourcc("lpcm"):
    case fourcc("NONE"): bits = e.bits; break;
    case fourcc("raw "):
    case fourcc("ulaw"):
    case fourcc("alaw"): bits = 8; break;
    case fourcc("in24"): bits = 24; break;
    case fourcc("in32"):
    case fourcc("fl32"): bits = 32; break;
    case fourcc("fl64"): bits = 64; break;
    default: return 0;
    }
    return bits / 8 * e.channels;
}

} // namespace

std::vector<ByteRange> mergeRanges(std::vector<ByteRange> ranges)
{
    ranges.erase(std::remove_if(ranges.begin(), ranges.end(), [](const ByteRange& r) { return r.end <= r.start; }), ranges.end());
    std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) { return a.start < b.start; });
    std::vector<ByteRange> out;
    for (const ByteRange& r : ranges) {
        if (!out.empty() && r.start <= out.back().end)
            out.back().end = std::max(out.back().end, r.end);
        else
            out.push_back(r);
    }
    return out;
}

Mp4Layout::Mp4Layout(int64_t fileSize)
    : size_(fileSize)
{
    if (size_ < 8 || size_ > kMaxFileSize) {
        container_ = Container::Unknown;
        if (size_ > kMaxFileSize)
            problem_ = "the file size " + std::to_string(size_) + " is beyond what can be read";
    }
}

bool Mp4Layout::done() const
{
    return container_ == Container::Unknown || !problem_.empty() || (container_ == Container::Mp4 && walked_);
}

bool Mp4Layout::hopByHop() const
{
    return fragmented_ && !sidxSeen_ && !mfraSeen_ && tail_ != Tail::Mfra;
}

void Mp4Layout::fail(const std::string& why)
{
    if (problem_.empty())
        problem_ = why;
    store_.clear();
}

bool Mp4Layout::bytes(int64_t start, int64_t size, std::vector<uint8_t>& out) const
{
    if (size < 0 || start < 0)
        return false;
    auto it = store_.upper_bound(start);
    if (it == store_.begin())
        return false;
    --it;
    const int64_t spanEnd = it->first + int64_t(it->second.size());
    if (start + size > spanEnd)
        return false;
    const uint8_t* from = it->second.data() + (start - it->first);
    out.assign(from, from + size);
    return true;
}

// False while the header's bytes are not in the store. A size below the header's own length is
// returned as read: the caller tells it apart.
bool Mp4Layout::header(int64_t at, Box& box) const
{
    std::vector<uint8_t> h;
    const int64_t avail = std::min<int64_t>(16, size_ - at);
    if (avail < 8 || !bytes(at, std::min<int64_t>(8, avail), h))
        return false;
    uint64_t size = uint64_t(h[0]) << 24 | uint64_t(h[1]) << 16 | uint64_t(h[2]) << 8 | h[3];
    box.type = uint32_t(h[4]) << 24 | uint32_t(h[5]) << 16 | uint32_t(h[6]) << 8 | h[7];
    box.header = 8;
    if (size == 1) {
        if (avail < 16 || !bytes(at, 16, h))
            return false;
        size = 0;
        for (int i = 8; i < 16; ++i)
            size = size << 8 | h[i];
        box.header = 16;
    } else if (size == 0) {
        size = uint64_t(size_ - at);
    }
    if (box.type == fourcc("uuid"))
        box.header += 16;
    box.size = size > uint64_t(kMaxFileSize) ? kMaxFileSize : int64_t(size);
    return true;
}

bool Mp4Layout::isIndexBox(uint32_t type) const
{
    switch (type) {
    case fourcc("ftyp"):
    case fourcc("styp"):
    case fourcc("moov"):
    case fourcc("moof"):
    case fourcc("sidx"):
    case fourcc("mfra"): return true;
    default: return false;
    }
}

// A moov or moof is read with the header of the box after it (the mdat a demuxer looks at next).
int64_t Mp4Layout::wantedEnd(int64_t at, const Box& box) const
{
    const bool withNext = box.type == fourcc("moov") || box.type == fourcc("moof");
    return std::min(size_, at + box.size + (withNext ? 16 : 0));
}

void Mp4Layout::feed(int64_t start, const uint8_t* data, size_t size)
{
    if (done() || start >= size_ || size == 0 || start + int64_t(size) <= 0)
        return;
    int64_t a = start, b = std::min(size_, start + int64_t(size));
    if (a < 0) {
        data += -a;
        a = 0;
    }
    // Merge with every span it overlaps or touches into one.
    auto first = store_.upper_bound(a);
    if (first != store_.begin()) {
        auto prev = std::prev(first);
        if (prev->first + int64_t(prev->second.size()) >= a)
            first = prev;
    }
    auto last = first;
    int64_t lo = a, hi = b;
    while (last != store_.end() && last->first <= b) {
        lo = std::min(lo, last->first);
        hi = std::max(hi, last->first + int64_t(last->second.size()));
        ++last;
    }
    if (first == last) {
        store_.emplace(a, std::vector<uint8_t>(data, data + (b - a)));
    } else if (std::next(first) == last && first->first == lo && first->first + int64_t(first->second.size()) >= a && hi == b && lo <= a) {
        // The usual case: the new bytes continue one span.
        std::vector<uint8_t>& span = first->second;
        span.resize(size_t(hi - lo));
        std::memcpy(span.data() + (a - lo), data, size_t(b - a));
    } else {
        std::vector<uint8_t> merged(size_t(hi - lo));
        for (auto it = first; it != last; ++it)
            std::memcpy(merged.data() + (it->first - lo), it->second.data(), it->second.size());
        std::memcpy(merged.data() + (a - lo), data, size_t(b - a));
        store_.erase(first, last);
        store_.emplace(lo, std::move(merged));
    }
    advance();
    if (done()) {
        store_.clear();
        return;
    }
    trimStore();
}

void Mp4Layout::advance()
{
    if (container_ == Container::Undecided)
        decide();
    if (container_ != Container::Mp4)
        return;
    // Each step may learn offsets the others then find in the store.
    for (int round = 0; round < 64 && problem_.empty() && !walked_; ++round) {
        const int64_t before = walk_;
        const size_t hints = hints_.size(), parsed = parsed_;
        const Tail tail = tail_;
        walk();
        readTail();
        readHints();
        if (walk_ == before && hints_.size() == hints && parsed_ == parsed && tail_ == tail)
            break;
    }
}

void Mp4Layout::decide()
{
    Box box;
    std::vector<uint8_t> b;
    if (!header(0, box)) {
        // All there is of the file, and still no header: not a box.
        if (bytes(0, std::min<int64_t>(size_, 16), b))
            container_ = Container::Unknown;
        return;
    }
    switch (box.type) {
    case fourcc("ftyp"):
    case fourcc("styp"):
    case fourcc("moov"):
    case fourcc("mdat"):
    case fourcc("free"):
    case fourcc("skip"):
    case fourcc("wide"):
    case fourcc("pnot"):
        container_ = box.size >= box.header ? Container::Mp4 : Container::Unknown;
        break;
    default: container_ = Container::Unknown;
    }
}

void Mp4Layout::walk()
{
    std::vector<uint8_t> body;
    while (problem_.empty() && !walked_) {
        if (walk_ >= size_) {
            walked_ = true;
            break;
        }
        Box box;
        auto hint = hints_.find(walk_);
        const bool fromHint = hint != hints_.end() && hint->second.box.type != 0;
        if (fromHint)
            box = hint->second.box;
        else if (!header(walk_, box)) {
            // Fewer bytes left than a header needs: trailing bytes a demuxer ignores.
            if (bytes(walk_, std::min<int64_t>(size_ - walk_, 16), body)) {
                walked_ = true;
                addIndex(walk_, size_);
            }
            break;
        }
        if (box.size < box.header) {
            fail("the box at byte " + std::to_string(walk_) + " declares an impossible size (" + std::to_string(box.size) + " bytes)");
            break;
        }
        const bool pastEnd = box.size > size_ - walk_;
        if (isIndexBox(box.type)) {
            if (box.size > kMaxIndexBox) {
                fail("the " + fourccText(box.type) + " box at byte " + std::to_string(walk_) + " is " + std::to_string(box.size)
                    + " bytes, more than the " + std::to_string(kMaxIndexBox >> 20) + " MiB accepted");
                break;
            }
            if (pastEnd) {
                if (box.type == fourcc("moov"))
                    fail("the moov box at byte " + std::to_string(walk_) + " runs past the end of the file");
                // A fragment cut off at the end (an interrupted recording): what came before stands.
                addIndex(walk_, size_);
                walked_ = true;
                break;
            }
            if (box.type == fourcc("moof") && fromHint && hint->second.parsed) {
                for (const ByteRange& r : hint->second.media)
                    addMedia(r.start, r.end - r.start);
            } else if (!(box.type == fourcc("sidx") && fromHint && hint->second.parsed)
                && !(box.type == fourcc("mfra") && mfraSeen_)) {
                if (!bytes(walk_, box.size, body))
                    break;
                visit(walk_, box, body);
                if (!problem_.empty())
                    break;
            }
            addIndex(walk_, walk_ + box.size);
        } else {
            addIndex(walk_, std::min(size_, walk_ + box.header));
            if (box.type == fourcc("mdat"))
                mdatSeen_ = true;
        }
        walk_ = pastEnd ? size_ : walk_ + box.size;
        // Hints behind the walk are of no more use.
        while (!hints_.empty() && hints_.begin()->first < walk_) {
            bigOpen_.erase(hints_.begin()->first);
            hints_.erase(hints_.begin());
        }
        if (moovSeen_ && !fragmented_ && mdatSeen_)
            walked_ = true;
    }
    if (walked_ && !moovSeen_ && problem_.empty())
        fail("the file has no moov box (none found before the end, at byte " + std::to_string(size_) + ")");
}

void Mp4Layout::visit(int64_t at, const Box& box, const std::vector<uint8_t>& body)
{
    const uint8_t* p = body.data() + box.header;
    const size_t n = body.size() - size_t(box.header);
    if (box.type == fourcc("moov")) {
        if (moovSeen_)
            return;   // the first moov counts, as for the mov demuxer
        parseMoov(p, n);
    } else if (box.type == fourcc("moof")) {
        noteMoof(box.size);
        std::vector<ByteRange> ranges;
        if (moovSeen_ && parseMoof(at, p, n, ranges))
            for (const ByteRange& r : ranges)
                addMedia(r.start, r.end - r.start);
    } else if (box.type == fourcc("sidx")) {
        parseSidx(at + box.size, p, n);
    } else if (box.type == fourcc("mfra")) {
        parseMfra(p, n);
        mfraSeen_ = true;
    }
}

void Mp4Layout::parseMoov(const uint8_t* p, size_t n)
{
    moovSeen_ = true;
    std::vector<Track> audio;
    forEachChild(p, n, [&](uint32_t type, const uint8_t* body, size_t size) {
        if (type == fourcc("trak")) {
            Track t = readTrak(body, size);
            if (t.handler == fourcc("soun"))
                audio.push_back(t);
        } else if (type == fourcc("mvex")) {
            fragmented_ = true;
            forEachChild(body, size, [&](uint32_t child, const uint8_t* b, size_t len) {
                if (child != fourcc("trex"))
                    return;
                Cursor c{b, len};
                c.skip(4);
                const uint32_t id = c.u32();
                Trex t;
                t.sampleDescriptionIndex = c.u32();
                t.duration = c.u32();
                t.size = c.u32();
                t.flags = c.u32();
                if (c.ok && trex_.size() < 4096)
                    trex_[id] = t;
            });
        }
    });
    if (fragmented_ && tail_ == Tail::Unasked)
        tail_ = size_ >= 16 ? Tail::Asked : Tail::Absent;
    // av_find_best_stream prefers a track flagged default (tkhd "enabled"), then the first.
    const Track* chosen = nullptr;
    for (const Track& t : audio)
        if (t.enabled) {
            chosen = &t;
            break;
        }
    if (!chosen && !audio.empty())
        chosen = &audio.front();
    if (!chosen)
        return;
    const Track& t = *chosen;
    audioTrackId_ = t.id;
    audioCodec_ = t.sound.format ? fourccText(t.sound.format) : "";
    if (!t.stsc || !t.stsz || !t.stco)
        return;

    Cursor chunks{t.stco, t.stcoSize};
    chunks.skip(4);
    const uint64_t chunkCount = std::min<uint64_t>(chunks.u32(), chunks.left() / (t.co64 ? 8 : 4));
    Cursor stsc{t.stsc, t.stscSize};
    stsc.skip(4);
    const uint64_t stscCount = std::min<uint64_t>(stsc.u32(), stsc.left() / 12);
    Cursor sizes{t.stsz, t.stszSize};
    sizes.skip(4);
    uint32_t constantSize = 0, fieldBits = 32;
    if (t.stz2) {
        sizes.skip(3);
        fieldBits = sizes.u8();
        if (fieldBits != 4 && fieldBits != 8 && fieldBits != 16)
            return;
    } else {
        constantSize = sizes.u32();
    }
    uint64_t sampleCount = sizes.u32();
    if (!chunks.ok || !stsc.ok || !sizes.ok)
        return;
    if (constantSize == 0)
        sampleCount = std::min<uint64_t>(sampleCount, sizes.left() * 8 / fieldBits);

    // Raw PCM whose stts says one tick per sample is read chunk by chunk (the demuxer's old
    // uncompressed-audio path); the chunk's bytes then follow from the sample entry.
    const bool chunkPath = t.sttsEntries == 1 && t.sttsFirstDelta == 1;
    uint32_t pcmSize = pcmBytesPerSample(t.sound);
    if (pcmSize == 0)
        pcmSize = constantSize;

    uint64_t sample = 0;
    uint32_t nibble = 0;
    bool highNibble = true;
    auto nextSize = [&]() -> uint64_t {
        if (constantSize)
            return constantSize;
        if (fieldBits == 4) {
            if (highNibble)
                nibble = sizes.u8();
            const uint32_t v = highNibble ? nibble >> 4 : nibble & 15;
            highNibble = !highNibble;
            return v;
        }
        return sizes.be(fieldBits / 8);
    };
    uint64_t entry = 0;
    uint32_t firstChunk = 0, perChunk = 0, nextFirst = 0;
    auto readEntry = [&]() {
        firstChunk = stsc.u32();
        perChunk = stsc.u32();
        stsc.skip(4);
        ++entry;
        nextFirst = UINT32_MAX;
        if (entry < stscCount) {
            Cursor peek = stsc;
            nextFirst = peek.u32();
        }
    };
    if (stscCount == 0)
        return;
    readEntry();
    for (uint64_t i = 0; i < chunkCount && (chunkPath || sample < sampleCount); ++i) {
        const int64_t offset = int64_t(t.co64 ? chunks.u64() : chunks.u32());
        while (entry < stscCount && i + 1 >= nextFirst)
            readEntry();
        if (i + 1 < firstChunk)
            continue;
        uint64_t length = 0;
        if (chunkPath) {
            const uint64_t n = perChunk;
            if (t.sound.samplesPerFrame >= 160 && t.sound.bytesPerFrame)
                length = (n + t.sound.samplesPerFrame - 1) / t.sound.samplesPerFrame * t.sound.bytesPerFrame;
            else if (t.sound.samplesPerFrame > 1 && t.sound.bytesPerFrame)
                length = n / t.sound.samplesPerFrame * t.sound.bytesPerFrame;
            else
                length = n * pcmSize;
        } else {
            const uint64_t n = std::min<uint64_t>(perChunk, sampleCount - sample);
            if (constantSize) {
                length = n * constantSize;
            } else {
                for (uint64_t k = 0; k < n; ++k)
                    length += nextSize();
            }
            sample += n;
        }
        addMedia(offset, int64_t(std::min<uint64_t>(length, uint64_t(size_))));
    }
}

// Fields of tfhd and trun by flag: ISO/IEC 14496-12 8.8.7 and 8.8.8.
bool Mp4Layout::parseMoof(int64_t at, const uint8_t* p, size_t n, std::vector<ByteRange>& out) const
{
    // The mov demuxer: a traf without base-data-offset or default-base-is-moof starts where the
    // previous traf's data ended (the moof itself for the first); a trun without data-offset
    // starts at the base.
    int64_t implicit = at;
    forEachChild(p, n, [&](uint32_t type, const uint8_t* traf, size_t trafSize) {
        if (type != fourcc("traf"))
            return;
        size_t len = 0;
        const uint8_t* tfhd = findChild(traf, trafSize, fourcc("tfhd"), len);
        if (!tfhd)
            return;
        Cursor h{tfhd, len};
        const uint32_t flags = uint32_t(h.be(4)) & 0xffffff;
        const uint32_t trackId = h.u32();
        auto trex = trex_.find(trackId);
        Trex defaults = trex != trex_.end() ? trex->second : Trex{};
        int64_t base = implicit;
        if (flags & 0x1)
            base = int64_t(std::min<uint64_t>(h.u64(), uint64_t(kMaxFileSize)));
        else if (flags & 0x20000)
            base = at;
        if (flags & 0x2)
            h.skip(4);
        if (flags & 0x8)
            defaults.duration = h.u32();
        if (flags & 0x10)
            defaults.size = h.u32();
        if (!h.ok)
            return;
        const bool audio = trackId == audioTrackId_ && audioTrackId_ != 0;
        forEachChild(traf, trafSize, [&](uint32_t child, const uint8_t* trun, size_t trunSize) {
            if (child != fourcc("trun"))
                return;
            Cursor r{trun, trunSize};
            const uint32_t tf = uint32_t(r.be(4)) & 0xffffff;
            const uint64_t count = r.u32();
            const int64_t dataOffset = (tf & 0x1) ? int64_t(int32_t(r.u32())) : 0;
            if (tf & 0x4)
                r.skip(4);
            if (!r.ok)
                return;
            const size_t entryBytes = 4 * (((tf >> 8) & 1) + ((tf >> 9) & 1) + ((tf >> 10) & 1) + ((tf >> 11) & 1));
            uint64_t total = 0;
            if (!(tf & 0x200)) {
                total = std::min<uint64_t>(count * uint64_t(defaults.size), uint64_t(kMaxFileSize));
            } else {
                const uint64_t entries = std::min<uint64_t>(count, r.left() / entryBytes);
                for (uint64_t k = 0; k < entries; ++k) {
                    if (tf & 0x100)
                        r.skip(4);
                    total += r.u32();
                    r.skip(entryBytes - 4 - ((tf & 0x100) ? 4 : 0));
                }
            }
            const int64_t start = base + dataOffset;
            if (audio && total > 0)
                out.push_back({start, start + int64_t(total)});
            implicit = start + int64_t(total);
        });
    });
    return true;
}

void Mp4Layout::parseSidx(int64_t anchor, const uint8_t* p, size_t n)
{
    sidxSeen_ = true;
    Cursor c{p, n};
    const uint32_t version = c.u8();
    c.skip(3 + 8);                        // flags, reference_ID, timescale
    c.skip(version == 0 ? 4 : 8);         // earliest_presentation_time
    const uint64_t firstOffset = version == 0 ? c.u32() : c.u64();
    c.skip(2);
    const uint32_t count = c.u16();
    if (!c.ok || firstOffset > uint64_t(size_))
        return;
    int64_t at = anchor + int64_t(firstOffset);
    for (uint32_t i = 0; i < count && c.ok && at < size_; ++i) {
        const uint32_t ref = c.u32();
        c.skip(8);                        // subsegment_duration, SAP fields
        if (!c.ok)
            break;
        addHint(at);
        at += ref & 0x7fffffff;
    }
}

void Mp4Layout::parseMfra(const uint8_t* p, size_t n)
{
    forEachChild(p, n, [&](uint32_t type, const uint8_t* body, size_t size) {
        if (type != fourcc("tfra"))
            return;
        Cursor c{body, size};
        const uint32_t version = c.u8();
        c.skip(3 + 4);                    // flags, track_ID
        const uint32_t lengths = c.u32();
        const uint64_t count = c.u32();
        const size_t entryBytes = (version == 1 ? 16 : 8) + ((lengths >> 4) & 3) + ((lengths >> 2) & 3) + (lengths & 3) + 3;
        const uint64_t entries = std::min<uint64_t>(count, c.left() / entryBytes);
        for (uint64_t i = 0; i < entries && c.ok; ++i) {
            c.skip(version == 1 ? 8 : 4); // time
            const uint64_t moof = version == 1 ? c.u64() : c.u32();
            c.skip(entryBytes - (version == 1 ? 16 : 8));
            if (moof < uint64_t(size_))
                addHint(int64_t(moof));
        }
    });
}

// Once a moof has been seen, the next ones are asked with room for twice its size (and the mdat
// header after it), in steps of 4 KiB: a quarter of the bytes, rarely a second ask.
void Mp4Layout::noteMoof(int64_t size)
{
    const int64_t room = (2 * size + 16 + 4095) / 4096 * 4096;
    moofProbe_ = std::min(kProbeBytes, std::max(moofProbe_, room));
}

int64_t Mp4Layout::probeBytes() const
{
    return moofProbe_ ? moofProbe_ : kProbeBytes;
}

void Mp4Layout::addHint(int64_t at)
{
    if (at <= walk_ || at >= size_ || hints_.size() >= kMaxHints)
        return;
    hints_.emplace(at, Fragment{});
}

void Mp4Layout::readTail()
{
    std::vector<uint8_t> b;
    if (tail_ == Tail::Asked && bytes(size_ - 16, 16, b)) {
        Cursor c{b.data(), b.size()};
        const uint32_t boxSize = c.u32();
        const uint32_t type = c.u32();
        c.skip(4);
        const int64_t mfra = c.u32();
        const bool plausible = boxSize == 16 && type == fourcc("mfro") && mfra >= 16 + 8 && mfra <= size_ && mfra <= kMaxIndexBox;
        tail_ = plausible ? Tail::Mfra : Tail::Absent;
        mfraSize_ = plausible ? mfra : 0;
    }
    if (tail_ == Tail::Mfra && !mfraSeen_ && bytes(size_ - mfraSize_, mfraSize_, b)) {
        Cursor c{b.data(), b.size()};
        const uint32_t boxSize = c.u32();
        if (boxSize != mfraSize_ || c.u32() != fourcc("mfra")) {
            tail_ = Tail::Absent;
            return;
        }
        mfraSeen_ = true;
        parseMfra(b.data() + 8, b.size() - 8);
        addIndex(size_ - mfraSize_, size_);
        // The walk will pass it without asking for it again.
        if (size_ - mfraSize_ > walk_) {
            Fragment& f = hints_[size_ - mfraSize_];
            f.box = Box{fourcc("mfra"), mfraSize_, 8};
            f.parsed = true;
        }
    }
}

void Mp4Layout::readHints()
{
    if (!moovSeen_)
        return;
    std::vector<uint8_t> body;
    // Only hints whose bytes are in the store can move; the store holds little.
    for (const auto& span : store_) {
        const int64_t lo = span.first, hi = span.first + int64_t(span.second.size());
        for (auto it = hints_.lower_bound(lo); it != hints_.end() && it->first < hi; ++it) {
            Fragment& f = it->second;
            if (f.parsed)
                continue;
            if (f.box.type == 0) {
                Box box;
                if (!header(it->first, box))
                    continue;
                ++parsed_;
                if (box.size < box.header || box.size > size_ - it->first) {
                    f.parsed = true;  // not a box: the walk will say so if it ever gets here
                    continue;
                }
                f.box = box;
            }
            const Box& box = f.box;
            if (box.type == fourcc("moof") || box.type == fourcc("sidx")) {
                if (box.size > kMaxIndexBox)
                    continue;
                if (!bytes(it->first, box.size, body)) {
                    if (bigOpen_.size() < kMaxHints)
                        bigOpen_.insert(it->first);
                    continue;
                }
                bigOpen_.erase(it->first);
                f.parsed = true;
                ++parsed_;
                if (box.type == fourcc("moof")) {
                    noteMoof(box.size);
                    parseMoof(it->first, body.data() + box.header, body.size() - size_t(box.header), f.media);
                }
                else
                    parseSidx(it->first + box.size, body.data() + box.header, body.size() - size_t(box.header));
            } else {
                f.parsed = true;
            }
            // The box after it is where the walk goes next: learnt now, not one hop later.
            addHint(it->first + box.size);
        }
    }
}

void Mp4Layout::addMedia(int64_t start, int64_t length)
{
    int64_t end = start + std::max<int64_t>(length, 0);
    start = std::max<int64_t>(start, 0);
    end = std::min(end, size_);
    if (end <= start)
        return;
    if (!media_.empty() && media_.back().end == start) {
        media_.back().end = end;
        return;
    }
    media_.push_back({start, end});
    // Out-of-order chunks: compacted now and then so memory follows the merged count.
    if (media_.size() >= 2 * mediaCompacted_ + 4096) {
        media_ = mergeRanges(std::move(media_));
        mediaCompacted_ = media_.size();
    }
}

void Mp4Layout::addIndex(int64_t start, int64_t end)
{
    end = std::min(end, size_);
    if (end <= start)
        return;
    if (!index_.empty() && index_.back().end >= start && index_.back().start <= start) {
        index_.back().end = std::max(index_.back().end, end);
        return;
    }
    index_.push_back({start, end});
}

// What the plan needs, full (not minus the store): of the walk, the tail, and the hints whose
// offsets fall in [from, to) (or whose box reaches into it).
std::vector<ByteRange> Mp4Layout::pending(int64_t from, int64_t to) const
{
    std::vector<ByteRange> out;
    if (container_ == Container::Undecided) {
        out.push_back({0, std::min<int64_t>(size_, kProbeBytes)});
        return out;
    }
    if (done())
        return out;
    Box box;
    auto hint = hints_.find(walk_);
    if (hint != hints_.end() && hint->second.box.type != 0) {
        const Fragment& f = hint->second;
        if (!f.parsed)
            out.push_back({walk_, wantedEnd(walk_, f.box)});
    } else if (header(walk_, box)) {
        if (isIndexBox(box.type) && box.size >= box.header)
            out.push_back({walk_, wantedEnd(walk_, box)});
    } else {
        // After an mdat with no moov yet, the rest is likely just the moov: all of it at once.
        const int64_t rest = size_ - walk_;
        const bool tail = !moovSeen_ && mdatSeen_ && rest <= (int64_t(8) << 20);
        out.push_back({walk_, tail ? size_ : std::min(size_, walk_ + probeBytes())});
    }
    // The mfro is the last 16 bytes; more is asked so that a usual mfra comes in the same round.
    if (tail_ == Tail::Asked)
        out.push_back({std::max<int64_t>(0, size_ - std::min(kTailBytes, std::max<int64_t>(16, size_ / 64))), size_});
    if (tail_ == Tail::Mfra && !mfraSeen_)
        out.push_back({size_ - mfraSize_, size_});
    if (moovSeen_) {
        auto range = [&](int64_t at, const Fragment& f) {
            if (at <= walk_ || f.parsed)
                return;
            if (f.box.type == 0)
                out.push_back({at, std::min(size_, at + probeBytes())});
            else if (f.box.size <= kMaxIndexBox)
                out.push_back({at, wantedEnd(at, f.box)});
        };
        for (auto it = hints_.lower_bound(from > kProbeBytes ? from - kProbeBytes : 0); it != hints_.end() && it->first < to; ++it)
            range(it->first, it->second);
        for (int64_t at : bigOpen_) {
            auto it = hints_.find(at);
            if (it != hints_.end())
                range(at, it->second);
        }
    }
    return mergeRanges(std::move(out));
}

std::vector<ByteRange> Mp4Layout::wants() const
{
    std::vector<ByteRange> out;
    for (const ByteRange& r : pending(0, size_)) {
        int64_t at = r.start;
        auto it = store_.upper_bound(at);
        if (it != store_.begin())
            --it;
        for (; it != store_.end() && at < r.end; ++it) {
            const int64_t lo = it->first, hi = lo + int64_t(it->second.size());
            if (hi <= at)
                continue;
            if (lo >= r.end)
                break;
            if (lo > at)
                out.push_back({at, lo});
            at = std::max(at, hi);
        }
        if (at < r.end)
            out.push_back({at, r.end});
    }
    return out;
}

void Mp4Layout::trimStore()
{
    // pending() reads headers from the store, so every span's needs are found before any moves.
    std::vector<std::vector<ByteRange>> keeps;
    keeps.reserve(store_.size());
    for (const auto& span : store_)
        keeps.push_back(pending(span.first, span.first + int64_t(span.second.size())));
    std::map<int64_t, std::vector<uint8_t>> kept;
    size_t index = 0;
    for (auto& span : store_) {
        const int64_t lo = span.first, hi = lo + int64_t(span.second.size());
        const std::vector<ByteRange>& keep = keeps[index++];
        std::vector<ByteRange> parts;
        auto k = std::lower_bound(keep.begin(), keep.end(), lo, [](const ByteRange& r, int64_t v) { return r.end <= v; });
        for (; k != keep.end() && k->start < hi; ++k)
            parts.push_back({std::max(lo, k->start), std::min(hi, k->end)});
        int64_t needed = 0;
        for (const ByteRange& r : parts)
            needed += r.end - r.start;
        if (needed == 0)
            continue;
        if (needed * 2 >= hi - lo) {
            kept.emplace(lo, std::move(span.second));
            continue;
        }
        for (const ByteRange& r : parts)
            kept.emplace(r.start, std::vector<uint8_t>(span.second.begin() + (r.start - lo), span.second.begin() + (r.end - lo)));
    }
    store_ = std::move(kept);
}

} // namespace avseg
