// SPDX-License-Identifier: MIT
#include "AudiowaveformReader.h"

#include "StrictJson.h"

#include <string>

namespace avseg {

namespace {

// Far more than any audio file has; it keeps length x channels x 4 bytes inside 64 bits.
constexpr int kMaxChannels = 64;

uint32_t le32(const uint8_t* p)
{
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

AudiowaveformRead refuse(std::string error)
{
    AudiowaveformRead out;
    out.error = std::move(error);
    return out;
}

// The checks both forms share, worded by field name as the file spells it.
std::string headerProblem(const AudiowaveformHeader& h, const char* rate, const char* spp, const char* channels, const char* length)
{
    if (h.sampleRate < 1)
        return std::string(rate) + " is " + std::to_string(h.sampleRate) + ", not 1 Hz or more";
    if (h.samplesPerPixel < 1)
        return std::string(spp) + " is " + std::to_string(h.samplesPerPixel) + ", not 1 or more";
    if (h.channels < 1 || h.channels > kMaxChannels)
        return std::string(channels) + " is " + std::to_string(h.channels) + ", not 1 to " + std::to_string(kMaxChannels);
    if (h.length == 0)
        return std::string(length) + " is 0: the file holds no peaks (audiowaveform writes this for an empty or unreadable input)";
    return {};
}

AudiowaveformRead readDat(const uint8_t* bytes, size_t size)
{
    // Worded as the JavaScript reader did (hosts may match it); the size follows from the version.
    if (size < 4)
        return refuse("the file is too short for a header");
    AudiowaveformRead out;
    AudiowaveformHeader& h = out.header;
    h.version = int(int32_t(le32(bytes)));
    if (h.version != 1 && h.version != 2)
        return refuse("it is neither JSON (it does not start with '{') nor a .dat file of version 1 or 2 (its first 4 bytes read as version "
            + std::to_string(h.version) + ")");
    const size_t header = h.version == 2 ? 24 : 20;
    if (size < header)
        return refuse("the file is too short for a header");
    const uint32_t flags = le32(bytes + 4);
    h.bits = (flags & 1) ? 8 : 16;
    h.sampleRate = int(int32_t(le32(bytes + 8)));
    h.samplesPerPixel = int(int32_t(le32(bytes + 12)));
    h.length = int64_t(le32(bytes + 16));
    h.channels = h.version == 2 ? int(int32_t(le32(bytes + 20))) : 1;
    if (std::string problem = headerProblem(h, "sample rate", "samples per pixel", "channel count", "length"); !problem.empty())
        return refuse("the header's " + problem);
    const uint64_t count = uint64_t(h.length) * uint64_t(h.channels) * 2;
    const uint64_t want = count * uint64_t(h.bits / 8);
    if (uint64_t(size - header) != want)
        return refuse("the header says " + std::to_string(h.length) + " pixels of " + std::to_string(h.channels) + " channel"
            + (h.channels == 1 ? "" : "s") + " at " + std::to_string(h.bits) + " bits (" + std::to_string(want)
            + " bytes of data), but the file holds " + std::to_string(size - header) + " bytes after the header");
    out.data.resize(size_t(count));
    const uint8_t* p = bytes + header;
    if (h.bits == 8) {
        for (size_t i = 0; i < out.data.size(); ++i)
            out.data[i] = int16_t(int8_t(p[i]) * 256);
    } else {
        for (size_t i = 0; i < out.data.size(); ++i)
            out.data[i] = int16_t(uint16_t(p[2 * i] | p[2 * i + 1] << 8));
    }
    out.ok = true;
    return out;
}

// An integer member; false with `error` set when it is missing or not an integer.
bool integer(const nlohmann::json& j, const char* key, int64_t& value, std::string& error, bool required = true)
{
    const auto it = j.find(key);
    if (it == j.end()) {
        if (required)
            error = "the JSON has no \"" + std::string(key) + "\"";
        return !required;
    }
    if (!it->is_number_integer()) {
        error = "the JSON's \"" + std::string(key) + "\" is " + it->dump() + ", not an integer";
        return false;
    }
    value = it->get<int64_t>();
    return true;
}

AudiowaveformRead readJson(const uint8_t* bytes, size_t size)
{
    nlohmann::json j;
    try {
        j = StrictJson::parse(std::string(reinterpret_cast<const char*>(bytes), size));
    } catch (const StrictJsonError& e) {
        return refuse("the JSON " + (e.path().empty() ? e.reason() : e.path() + " " + e.reason()));
    }
    if (!j.is_object())
        return refuse("the JSON is not an object");
    AudiowaveformRead out;
    AudiowaveformHeader& h = out.header;
    h.json = true;
    std::string error;
    int64_t version = 0, bits = 0, rate = 0, spp = 0, length = 0, channels = 1;
    if (!integer(j, "version", version, error, false) || !integer(j, "channels", channels, error, false) || !integer(j, "sample_rate", rate, error)
        || !integer(j, "samples_per_pixel", spp, error) || !integer(j, "bits", bits, error) || !integer(j, "length", length, error))
        return refuse(error);
    // audiowaveform before 1.3 wrote no version (and one channel).
    if (!j.contains("version"))
        version = 1;
    if (version != 1 && version != 2)
        return refuse("the JSON's \"version\" is " + std::to_string(version) + ", not 1 or 2");
    if (bits != 8 && bits != 16)
        return refuse("the JSON's \"bits\" is " + std::to_string(bits) + ", not 8 or 16");
    auto clampInt = [](int64_t v) { return int(v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v); };
    h.version = int(version);
    h.bits = int(bits);
    h.sampleRate = clampInt(rate);
    h.samplesPerPixel = clampInt(spp);
    h.channels = clampInt(channels);
    if (length < 0 || length > INT64_C(0xffffffff))
        return refuse("the JSON's \"length\" is " + std::to_string(length) + ", not 0 to 4294967295");
    h.length = length;
    if (std::string problem = headerProblem(h, "\"sample_rate\"", "\"samples_per_pixel\"", "\"channels\"", "\"length\""); !problem.empty())
        return refuse("the JSON's " + problem);
    const auto data = j.find("data");
    if (data == j.end() || !data->is_array())
        return refuse(data == j.end() ? "the JSON has no \"data\"" : "the JSON's \"data\" is not an array");
    const uint64_t count = uint64_t(h.length) * uint64_t(h.channels) * 2;
    if (data->size() != count)
        return refuse("the JSON's \"data\" holds " + std::to_string(data->size()) + " values, but \"length\" " + std::to_string(h.length)
            + " x " + std::to_string(h.channels) + " channel" + (h.channels == 1 ? "" : "s") + " x 2 (min, max) is " + std::to_string(count));
    const int64_t lo = h.bits == 8 ? -128 : -32768, hi = h.bits == 8 ? 127 : 32767;
    out.data.reserve(size_t(count));
    for (size_t i = 0; i < data->size(); ++i) {
        const nlohmann::json& v = (*data)[i];
        // Refused rather than clamped or wrapped: a value out of range means the writer is wrong,
        // and the decoded waveform is drawn instead.
        if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
            return refuse("the JSON's data[" + std::to_string(i) + "] is " + v.dump() + ", "
                + (v.is_number_integer() ? "outside " + std::to_string(lo) + ".." + std::to_string(hi) + " for " + std::to_string(h.bits) + "-bit peaks"
                                         : std::string("not an integer")));
        out.data.push_back(int16_t(v.get<int64_t>() * (h.bits == 8 ? 256 : 1)));
    }
    out.ok = true;
    return out;
}

std::string plural(int64_t n, const char* one, const char* many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace

AudiowaveformRead readAudiowaveform(const uint8_t* bytes, size_t size)
{
    size_t at = 0;
    if (size >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        at = 3;
    while (at < size && (bytes[at] == ' ' || bytes[at] == '\t' || bytes[at] == '\n' || bytes[at] == '\r'))
        ++at;
    if (at < size && bytes[at] == '{')
        return readJson(bytes + at, size - at);
    if (at > 0 && at == size)
        return refuse("the file holds only whitespace");
    if (size == 0)
        return refuse("the file is empty (0 bytes)");
    return readDat(bytes, size);
}

std::string audiowaveformMismatch(const AudiowaveformHeader& peaks, int channels, int sampleRate, int64_t frames)
{
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
    // One mixed-down channel is audiowaveform's and avseg-cli's default for any media: a preview
    // the decoded waveform replaces at ready, not a mistake worth a warning on every stereo file.
    if (channels > 0 && peaks.channels != channels && peaks.channels != 1)
        add("they have " + plural(peaks.channels, "channel", "channels") + ", the media " + std::to_string(channels));
    if (sampleRate > 0 && peaks.sampleRate != sampleRate)
        add("they are for " + std::to_string(peaks.sampleRate) + " Hz, the media is " + std::to_string(sampleRate) + " Hz");
    else if (frames >= 0 && peaks.samplesPerPixel > 0) {
        const int64_t want = (frames + peaks.samplesPerPixel - 1) / peaks.samplesPerPixel;
        if (peaks.length != want)
            add("they are " + plural(peaks.length, "pixel", "pixels") + " of " + std::to_string(peaks.samplesPerPixel)
                + " samples, but the media's " + std::to_string(frames) + " samples make " + std::to_string(want));
    }
    return out;
}

} // namespace avseg
