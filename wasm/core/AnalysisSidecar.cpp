// SPDX-License-Identifier: MIT
#include "AnalysisSidecar.h"

#include "MediaError.h"
#include "StrictJson.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace avseg {

namespace {

using Json = nlohmann::json;

constexpr size_t kFixedHeader = 16;              // magic, version, header length
constexpr uint32_t kMaxHeaderBytes = 1 << 20;
constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;   // what JavaScript holds exactly

[[noreturn]] void refuse(const std::string& message)
{
    throw MediaError(ErrorCode::InvalidAnalysis, "analysis sidecar: " + message);
}

size_t padded(size_t n) { return (n + 7) & ~size_t(7); }

std::string number(double v)
{
    return Json(v).dump();
}

// ---- writing

class Writer {
public:
    Json array(const std::vector<float>& values, const char* what)
    {
        for (size_t i = 0; i < values.size(); ++i)
            if (!std::isfinite(values[i]))
                refuse(std::string("cannot write ") + what + "[" + std::to_string(i) + "]: it is not a finite number");
        return put("f32", values.data(), values.size(), sizeof(float));
    }
    Json array(const std::vector<int64_t>& values, const char*)
    {
        return put("i64", values.data(), values.size(), sizeof(int64_t));
    }
    const std::vector<uint8_t>& bytes() const { return data_; }

private:
    Json put(const char* type, const void* values, size_t count, size_t size)
    {
        const size_t offset = data_.size();
        data_.resize(padded(offset + count * size), 0);
        if (count)
            std::memcpy(data_.data() + offset, values, count * size);
        return Json{{"type", type}, {"offset", offset}, {"count", count}};
    }
    std::vector<uint8_t> data_;
};

Json optionalNumber(const std::optional<double>& v, const char* what)
{
    if (!v)
        return nullptr;
    if (!std::isfinite(*v))
        refuse(std::string("cannot write ") + what + ": it is not a finite number");
    return *v;
}

void requireFinite(double v, const char* what)
{
    if (!std::isfinite(v))
        refuse(std::string("cannot write ") + what + ": it is not a finite number");
}

void putU32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// ---- reading

class Reader {
public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    // The array a descriptor names, checked against the data section's bounds.
    template <class T>
    std::vector<T> array(const Json& parent, const std::string& path, const char* key, const char* type)
    {
        const std::string where = path + "." + key;
        const auto it = parent.find(key);
        if (it == parent.end())
            refuse(where + " is missing");
        const Json& d = *it;
        if (!d.is_object())
            refuse(where + " must be an array descriptor {\"type\", \"offset\", \"count\"}");
        const auto t = d.find("type");
        if (t == d.end() || !t->is_string() || *t != type)
            refuse(where + ".type must be \"" + type + "\"");
        const uint64_t offset = unsignedField(d, where, "offset");
        const uint64_t count = unsignedField(d, where, "count");
        if (offset % 8)
            refuse(where + ".offset " + std::to_string(offset) + " is not a multiple of 8");
        if (offset > size_ || count > (size_ - offset) / sizeof(T))
            refuse(where + ": its " + std::to_string(count) + " values at data byte " + std::to_string(offset) + " end past the end of the file (" +
                std::to_string(size_) + " bytes of data): the file is truncated");
        const size_t end = padded(size_t(offset) + size_t(count) * sizeof(T));
        end_ = std::max(end_, end);
        std::vector<T> out(count);
        if (count)
            std::memcpy(out.data(), data_ + offset, count * sizeof(T));
        return out;
    }
    size_t end() const { return end_; }

    static uint64_t unsignedField(const Json& d, const std::string& where, const char* key)
    {
        const auto it = d.find(key);
        if (it == d.end() || !it->is_number_integer() || (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() < 0))
            refuse(where + "." + key + " must be an integer 0 or more");
        return it->get<uint64_t>();
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t end_ = 0;
};

const Json& part(const Json& header, const char* key)
{
    const Json& p = header.at(key);
    if (!p.is_object())
        refuse(std::string(key) + " must be an object");
    return p;
}

int64_t integer(const Json& obj, const std::string& path, const char* key, int64_t min, int64_t max)
{
    const auto it = obj.find(key);
    const std::string where = path.empty() ? key : path + "." + key;
    if (it == obj.end())
        refuse(where + " is missing");
    if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(max)) || it->get<int64_t>() < min ||
        it->get<int64_t>() > max)
        refuse(where + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + it->dump());
    return it->get<int64_t>();
}

double real(const Json& obj, const std::string& path, const char* key)
{
    const auto it = obj.find(key);
    const std::string where = path + "." + key;
    if (it == obj.end())
        refuse(where + " is missing");
    if (!it->is_number())
        refuse(where + " must be a number, got " + it->dump());
    return it->get<double>();
}

std::optional<double> realOrNull(const Json& obj, const std::string& path, const char* key)
{
    const auto it = obj.find(key);
    if (it != obj.end() && it->is_null())
        return std::nullopt;
    return real(obj, path, key);
}

void eachValue(const std::vector<float>& v, const std::string& where, const std::function<bool(float)>& ok, const char* rule)
{
    for (size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]) || !ok(v[i]))
            refuse(where + "[" + std::to_string(i) + "] is " + number(v[i]) + ": " + rule);
}

void sameCount(size_t a, size_t b, const std::string& first, const std::string& second)
{
    if (a != b)
        refuse(first + " has " + std::to_string(a) + " values but " + second + " " + std::to_string(b));
}

void framesInOrder(const std::vector<int64_t>& v, int64_t limit, const std::string& where, const char* what)
{
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] < 0 || v[i] >= limit)
            refuse(where + "[" + std::to_string(i) + "] is " + std::to_string(v[i]) + ": outside the " + std::to_string(limit) + " " + what);
        if (i && v[i] <= v[i - 1])
            refuse(where + "[" + std::to_string(i) + "] is " + std::to_string(v[i]) + ": not after the one before (" + std::to_string(v[i - 1]) + ")");
    }
}

// At most one value per step, plus a partial last one: an array longer than that is not this media's.
void fitsGrid(size_t count, int64_t first, int64_t frames, int64_t step, const std::string& where)
{
    const int64_t most = frames / step + 1;
    if (first + int64_t(count) > most + 1)
        refuse(where + " has " + std::to_string(count) + " values from index " + std::to_string(first) + " at " + std::to_string(step) +
            " frames each: more than the " + std::to_string(frames) + " frames hold");
}

} // namespace

std::vector<uint8_t> writeAnalysisSidecar(const AnalysisData& a)
{
    if (a.sampleRate < 1 || a.frames < 0 || a.frames > kMaxSafeInteger)
        refuse("cannot write: sampleRate must be 1 or more and frames 0 to 2^53 - 1");
    Writer w;
    Json h = Json::object();
    h["sampleRate"] = a.sampleRate;
    h["frames"] = a.frames;
    if (!a.generator.empty())
        h["generator"] = a.generator;
    if (a.energy) {
        if (a.energy->hop < 1)
            refuse("cannot write energy: hop must be 1 or more");
        h["energy"] = {{"hop", a.energy->hop}, {"levels", w.array(a.energy->levels, "energy.levels")}};
    }
    if (a.pauses) {
        const auto& p = *a.pauses;
        requireFinite(p.speechLevelDb, "pauses.speechLevelDb");
        requireFinite(p.options.thresholdDb, "pauses.thresholdDb");
        requireFinite(p.options.minDuration, "pauses.minDuration");
        std::vector<int64_t> start, end;
        std::vector<float> level;
        int64_t previous = 0;
        for (size_t i = 0; i < p.pauses.size(); ++i) {
            const Pause& x = p.pauses[i];
            if (x.start < previous || x.end <= x.start || x.end > a.frames)
                refuse("cannot write pauses[" + std::to_string(i) + "] [" + std::to_string(x.start) + ", " + std::to_string(x.end) +
                    "): pauses must be in order, not empty, and within the " + std::to_string(a.frames) + " frames");
            previous = x.end;
            start.push_back(x.start);
            end.push_back(x.end);
            level.push_back(x.levelDb);
        }
        h["pauses"] = {{"speechLevelDb", p.speechLevelDb}, {"thresholdDb", p.options.thresholdDb}, {"minDuration", p.options.minDuration},
            {"start", w.array(start, "pauses.start")}, {"end", w.array(end, "pauses.end")}, {"levelDb", w.array(level, "pauses.levelDb")}};
    }
    if (a.loudness) {
        const auto& l = *a.loudness;
        if (l.stepFrames < 1)
            refuse("cannot write loudness: stepFrames must be 1 or more");
        if (l.momentary.size() != l.shortTerm.size())
            refuse("cannot write loudness: momentary and shortTerm differ in length");
        requireFinite(l.jumpLu, "loudness.jumpLu");
        std::vector<int64_t> frame;
        std::vector<float> from, to;
        for (const LoudnessJump& j : l.jumps) {
            frame.push_back(j.frame);
            from.push_back(j.fromLufs);
            to.push_back(j.toLufs);
        }
        h["loudness"] = {{"stepFrames", l.stepFrames}, {"integrated", optionalNumber(l.integrated, "loudness.integrated")},
            {"range", optionalNumber(l.range, "loudness.range")}, {"jumpLu", l.jumpLu},
            {"momentary", w.array(l.momentary, "loudness.momentary")}, {"shortTerm", w.array(l.shortTerm, "loudness.shortTerm")},
            {"jumps", {{"frame", w.array(frame, "loudness.jumps.frame")}, {"from", w.array(from, "loudness.jumps.from")},
                          {"to", w.array(to, "loudness.jumps.to")}}}};
    }
    if (a.pitch) {
        const auto& p = *a.pitch;
        if (p.hop < 1 || p.firstIndex < 0 || p.hz.size() != p.clarity.size())
            refuse("cannot write pitch: hop must be 1 or more, firstIndex 0 or more, hz and clarity of one length");
        requireFinite(p.floorHz, "pitch.floorHz");
        requireFinite(p.ceilingHz, "pitch.ceilingHz");
        h["pitch"] = {{"hop", p.hop}, {"firstIndex", p.firstIndex}, {"floorHz", p.floorHz}, {"ceilingHz", p.ceilingHz},
            {"hz", w.array(p.hz, "pitch.hz")}, {"clarity", w.array(p.clarity, "pitch.clarity")}};
    }
    if (a.video) {
        const auto& v = *a.video;
        if (v.frames < 0 || size_t(v.frames) != v.motion.size())
            refuse("cannot write motion: one motion value per video frame");
        h["motion"] = {{"frames", v.frames}, {"motion", w.array(v.motion, "motion.motion")}, {"cuts", w.array(v.cuts, "motion.cuts")},
            {"jerks", w.array(v.jerks, "motion.jerks")}};
    }
    const std::string text = h.dump();
    std::vector<uint8_t> out(kAnalysisMagic, kAnalysisMagic + 8);
    putU32(out, kAnalysisVersion);
    putU32(out, static_cast<uint32_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
    out.resize(padded(out.size()), 0);
    out.insert(out.end(), w.bytes().begin(), w.bytes().end());
    // Check what was written reads back: the writer and the reader keep each other honest.
    readAnalysisSidecar(out.data(), out.size());
    return out;
}

AnalysisData readAnalysisSidecar(const uint8_t* bytes, size_t size)
{
    if (size < kFixedHeader)
        refuse("the file is too short for a header (" + std::to_string(size) + " bytes, at least 16 needed)");
    if (std::memcmp(bytes, kAnalysisMagic, 8) != 0)
        refuse("not an avseg analysis sidecar (it does not start with AVSEGANL)");
    auto u32 = [&](size_t at) { return uint32_t(bytes[at]) | uint32_t(bytes[at + 1]) << 8 | uint32_t(bytes[at + 2]) << 16 | uint32_t(bytes[at + 3]) << 24; };
    const uint32_t version = u32(8);
    if (version != kAnalysisVersion)
        refuse("version " + std::to_string(version) + ": this reader reads version " + std::to_string(kAnalysisVersion) +
            (version > kAnalysisVersion ? " (the file was written by a newer avseg)" : ""));
    const uint32_t headerBytes = u32(12);
    if (headerBytes > kMaxHeaderBytes)
        refuse("the header says it is " + std::to_string(headerBytes) + " bytes long, more than the 1 MiB allowed");
    if (headerBytes > size - kFixedHeader)
        refuse("the header says it is " + std::to_string(headerBytes) + " bytes long but only " + std::to_string(size - kFixedHeader) +
            " follow: the file is truncated");
    Json h;
    try {
        h = StrictJson::parse(std::string(reinterpret_cast<const char*>(bytes) + kFixedHeader, headerBytes));
    } catch (const StrictJsonError& e) {
        refuse(std::string("header: ") + e.what());
    }
    if (!h.is_object())
        refuse("header: must be a JSON object");
    const size_t dataStart = padded(kFixedHeader + headerBytes);
    if (dataStart > size)
        refuse("the file ends inside the header's padding: the file is truncated");
    Reader r(bytes + dataStart, size - dataStart);

    AnalysisData a;
    a.sampleRate = static_cast<int>(integer(h, "", "sampleRate", 1, 1 << 24));
    a.frames = integer(h, "", "frames", 0, kMaxSafeInteger);
    if (h.contains("generator")) {
        if (!h["generator"].is_string())
            refuse("generator must be text");
        a.generator = h["generator"].get<std::string>();
    }
    if (h.contains("energy")) {
        const Json& e = part(h, "energy");
        AnalysisData::Energy energy;
        energy.hop = static_cast<int>(integer(e, "energy", "hop", 1, 1 << 24));
        energy.levels = r.array<float>(e, "energy", "levels", "f32");
        eachValue(energy.levels, "energy.levels", [](float) { return true; }, "levels must be finite dBFS");
        fitsGrid(energy.levels.size(), 0, a.frames, energy.hop, "energy.levels");
        a.energy = std::move(energy);
    }
    if (h.contains("pauses")) {
        const Json& p = part(h, "pauses");
        AnalysisData::Pauses pauses;
        pauses.speechLevelDb = real(p, "pauses", "speechLevelDb");
        pauses.options.thresholdDb = real(p, "pauses", "thresholdDb");
        pauses.options.minDuration = real(p, "pauses", "minDuration");
        if (pauses.options.minDuration < 0)
            refuse("pauses.minDuration must be 0 or more, got " + number(pauses.options.minDuration));
        const auto start = r.array<int64_t>(p, "pauses", "start", "i64");
        const auto end = r.array<int64_t>(p, "pauses", "end", "i64");
        const auto level = r.array<float>(p, "pauses", "levelDb", "f32");
        sameCount(start.size(), end.size(), "pauses.start", "pauses.end");
        sameCount(start.size(), level.size(), "pauses.start", "pauses.levelDb");
        eachValue(level, "pauses.levelDb", [](float) { return true; }, "levels must be finite dBFS");
        int64_t previous = 0;
        for (size_t i = 0; i < start.size(); ++i) {
            if (start[i] < previous || end[i] <= start[i] || end[i] > a.frames)
                refuse("pause " + std::to_string(i) + " [" + std::to_string(start[i]) + ", " + std::to_string(end[i]) +
                    ") is empty, out of order or past the " + std::to_string(a.frames) + " frames");
            previous = end[i];
            pauses.pauses.push_back({start[i], end[i], level[i]});
        }
        a.pauses = std::move(pauses);
    }
    if (h.contains("loudness")) {
        const Json& l = part(h, "loudness");
        AnalysisData::Loudness loudness;
        loudness.stepFrames = integer(l, "loudness", "stepFrames", 1, 1 << 30);
        loudness.integrated = realOrNull(l, "loudness", "integrated");
        loudness.range = realOrNull(l, "loudness", "range");
        loudness.jumpLu = real(l, "loudness", "jumpLu");
        loudness.momentary = r.array<float>(l, "loudness", "momentary", "f32");
        loudness.shortTerm = r.array<float>(l, "loudness", "shortTerm", "f32");
        sameCount(loudness.momentary.size(), loudness.shortTerm.size(), "loudness.momentary", "loudness.shortTerm");
        eachValue(loudness.momentary, "loudness.momentary", [](float) { return true; }, "loudness must be finite LUFS");
        eachValue(loudness.shortTerm, "loudness.shortTerm", [](float) { return true; }, "loudness must be finite LUFS");
        fitsGrid(loudness.momentary.size(), 0, a.frames, loudness.stepFrames, "loudness.momentary");
        if (!l.contains("jumps") || !l["jumps"].is_object())
            refuse("loudness.jumps must be an object of arrays {frame, from, to}");
        const Json& j = l["jumps"];
        const auto frame = r.array<int64_t>(j, "loudness.jumps", "frame", "i64");
        const auto from = r.array<float>(j, "loudness.jumps", "from", "f32");
        const auto to = r.array<float>(j, "loudness.jumps", "to", "f32");
        sameCount(frame.size(), from.size(), "loudness.jumps.frame", "loudness.jumps.from");
        sameCount(frame.size(), to.size(), "loudness.jumps.frame", "loudness.jumps.to");
        eachValue(from, "loudness.jumps.from", [](float) { return true; }, "loudness must be finite LUFS");
        eachValue(to, "loudness.jumps.to", [](float) { return true; }, "loudness must be finite LUFS");
        for (size_t i = 0; i < frame.size(); ++i) {
            if (frame[i] < 0 || frame[i] > a.frames)
                refuse("loudness.jumps.frame[" + std::to_string(i) + "] is " + std::to_string(frame[i]) + ": outside the " +
                    std::to_string(a.frames) + " frames");
            loudness.jumps.push_back({frame[i], from[i], to[i]});
        }
        a.loudness = std::move(loudness);
    }
    if (h.contains("pitch")) {
        const Json& p = part(h, "pitch");
        AnalysisData::Pitch pitch;
        pitch.hop = static_cast<int>(integer(p, "pitch", "hop", 1, 1 << 24));
        pitch.firstIndex = integer(p, "pitch", "firstIndex", 0, kMaxSafeInteger);
        pitch.floorHz = real(p, "pitch", "floorHz");
        pitch.ceilingHz = real(p, "pitch", "ceilingHz");
        if (!(pitch.floorHz > 0 && pitch.floorHz < pitch.ceilingHz))
            refuse("pitch.floorHz " + number(pitch.floorHz) + " and ceilingHz " + number(pitch.ceilingHz) + ": the floor must be above 0 and below the ceiling");
        pitch.hz = r.array<float>(p, "pitch", "hz", "f32");
        pitch.clarity = r.array<float>(p, "pitch", "clarity", "f32");
        sameCount(pitch.hz.size(), pitch.clarity.size(), "pitch.hz", "pitch.clarity");
        eachValue(pitch.hz, "pitch.hz", [](float v) { return v >= 0; }, "a frequency must be 0 (unvoiced) or more");
        eachValue(pitch.clarity, "pitch.clarity", [](float v) { return v >= 0 && v <= 1; }, "clarity must be within [0, 1]");
        fitsGrid(pitch.hz.size(), pitch.firstIndex, a.frames, pitch.hop, "pitch.hz");
        a.pitch = std::move(pitch);
    }
    if (h.contains("motion")) {
        const Json& m = part(h, "motion");
        AnalysisData::Video video;
        video.frames = integer(m, "motion", "frames", 0, kMaxSafeInteger);
        video.motion = r.array<float>(m, "motion", "motion", "f32");
        video.cuts = r.array<int64_t>(m, "motion", "cuts", "i64");
        video.jerks = r.array<int64_t>(m, "motion", "jerks", "i64");
        if (video.motion.size() != size_t(video.frames))
            refuse("motion.motion has " + std::to_string(video.motion.size()) + " values for " + std::to_string(video.frames) + " video frames");
        eachValue(video.motion, "motion.motion", [](float v) { return v >= 0 && v <= 1; }, "motion must be within [0, 1]");
        framesInOrder(video.cuts, video.frames, "motion.cuts", "video frames");
        framesInOrder(video.jerks, video.frames, "motion.jerks", "video frames");
        a.video = std::move(video);
    }
    if (size - dataStart > r.end())
        refuse(std::to_string(size - dataStart - r.end()) + " bytes follow the last array: not a sidecar as written");
    return a;
}

} // namespace avseg
