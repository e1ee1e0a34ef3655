// SPDX-License-Identifier: MIT
#include "AudiowaveformReader.h"

#include "StrictJson.h"

#include <algorithm>
#include <map>
#include <set>
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

// The keys of the header, whose values are kept whole (they are small, and a refusal quotes them).
bool isHeaderKey(const std::string& key)
{
    return key == "version" || key == "channels" || key == "sample_rate" || key == "samples_per_pixel" || key == "bits" || key == "length";
}

// The JSON read as it streams by, through StrictJson::sax (no key twice in one object, at most
// StrictJson::kMaxDepth levels, each refusal naming its place) but into no tree: a one-hour
// file's million values as a tree took ~100 MB of wasm heap for good. The header's members are
// kept as values; "data"'s integers go straight into int16s, up to the first one that no bits
// allow, which is kept whole for the message.
class PeaksSax {
public:
    using Json = nlohmann::json;

    PeaksSax(const StrictJsonPlace& place, size_t textSize) : place_(place), textSize_(textSize) {}

    bool null() { return scalar(Json(nullptr)); }
    bool boolean(bool v) { return scalar(Json(v)); }
    bool number_integer(Json::number_integer_t v) { return inData() ? dataInteger(v, Json(v)) : scalar(Json(v)); }
    bool number_unsigned(Json::number_unsigned_t v)
    {
        if (!inData())
            return scalar(Json(v));
        // Past int64's range: refused as out of range, not wrapped to a small negative value.
        return v > uint64_t(INT64_MAX) ? dataInteger(INT64_MAX, Json(v)) : dataInteger(int64_t(v), Json(v));
    }
    bool number_float(Json::number_float_t v, const Json::string_t& text)
    {
        // nlohmann reads an integer beyond 64 bits as a float: quoted as written, it is an integer out of range.
        if (inData() && text.find_first_of(".eE") == std::string::npos)
            return dataInteger(v < 0 ? INT64_MIN : INT64_MAX, Json(nullptr), text);
        return scalar(Json(v));
    }
    bool string(Json::string_t& v) { return scalar(Json(std::move(v))); }
    bool binary(Json::binary_t&) { return scalar(Json(nullptr)); }   // only in binary formats
    bool start_object(std::size_t) { return container(Json::object(), false); }
    bool start_array(std::size_t) { return container(Json::array(), true); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(Json::string_t&) { return true; }
    template <class Exception>
    bool parse_error(std::size_t, const std::string&, const Exception& e)
    {
        throw e;
    }

    std::map<std::string, Json> members;   // the header's keys present
    bool object = false;                    // the top level is an object
    bool hasData = false, dataIsArray = false;
    size_t dataCount = 0;
    std::vector<int16_t> values;   // data's values, up to the first bad one
    bool bad = false;              // data[badIndex] is no integer in -32768..32767
    size_t badIndex = 0;
    Json badValue;
    std::string badText;           // or, for an integer past 64 bits, its text

private:
    // The top level's "data" array is open, and the value is one of its own.
    bool inData() const { return dataOpen_ && place_.depth() == 2; }
    bool atTopMember() const { return place_.depth() == 1 && !place_.inArray(); }

    // A value starts: where it goes, if it is kept.
    void begin()
    {
        if (capturing())
            return;
        if (atTopMember()) {
            if (isHeaderKey(place_.key()))
                target_ = &members[place_.key()];
            else if (place_.key() == "data")
                hasData = true;
        } else if (inData() && !bad) {
            bad = true;
            badIndex = place_.index();
            target_ = &badValue;
        }
    }
    bool capturing() const { return target_ != nullptr; }
    // Puts v where the kept value being built wants it; returns its slot.
    Json* put(Json&& v)
    {
        Json* slot;
        if (building_.empty()) {
            *target_ = std::move(v);
            slot = target_;
        } else if (building_.back()->is_array()) {
            building_.back()->push_back(std::move(v));
            slot = &building_.back()->back();
        } else {
            slot = &(*building_.back())[place_.key()];
            *slot = std::move(v);
        }
        return slot;
    }

    bool scalar(Json&& v)
    {
        begin();
        if (capturing()) {
            put(std::move(v));
            if (building_.empty())
                target_ = nullptr;
        }
        return true;
    }
    bool dataInteger(int64_t v, Json&& whole, const std::string& text = {})
    {
        if (!bad) {
            if (v >= -32768 && v <= 32767) {
                values.push_back(int16_t(v));
            } else {
                bad = true;
                badIndex = place_.index();
                badValue = std::move(whole);
                badText = text;
            }
        }
        return true;
    }
    bool container(Json&& empty, bool array)
    {
        const bool opensData = array && atTopMember() && place_.key() == "data" && !capturing();
        if (place_.depth() == 0)
            object = !array;
        else
            begin();
        if (capturing())
            building_.push_back(put(std::move(empty)));
        if (opensData) {
            dataOpen_ = dataIsArray = true;
            // At least two bytes a value; the header's length, if it came first, says how many.
            size_t want = textSize_ / 2 + 1;
            const auto length = members.find("length"), channels = members.find("channels");
            if (length != members.end() && length->second.is_number_integer() && length->second.get<int64_t>() >= 0
                && length->second.get<int64_t>() <= INT64_C(0xffffffff)) {
                const int64_t c = channels == members.end() ? 1
                    : channels->second.is_number_integer() ? channels->second.get<int64_t>() : 0;
                if (c >= 1 && c <= kMaxChannels)
                    want = std::min(want, size_t(uint64_t(length->second.get<int64_t>()) * uint64_t(c) * 2));
            }
            values.reserve(want);
        }
        return true;
    }
    bool close()
    {
        if (dataOpen_ && place_.depth() == 2) {
            dataCount = place_.index();
            dataOpen_ = false;
        }
        if (capturing()) {
            building_.pop_back();
            if (building_.empty())
                target_ = nullptr;
        }
        return true;
    }

    const StrictJsonPlace& place_;
    size_t textSize_;
    bool dataOpen_ = false;
    Json* target_ = nullptr;         // the kept value being built, if any
    std::vector<Json*> building_;    // its open containers
};

// An integer member; false with `error` set when it is missing or not an integer.
bool integer(const std::map<std::string, nlohmann::json>& members, const char* key, int64_t& value, std::string& error, bool required = true)
{
    const auto it = members.find(key);
    if (it == members.end()) {
        if (required)
            error = "the JSON has no \"" + std::string(key) + "\"";
        return !required;
    }
    if (!it->second.is_number_integer()) {
        error = "the JSON's \"" + std::string(key) + "\" is " + it->second.dump() + ", not an integer";
        return false;
    }
    // Read as int64 it would wrap to a negative number and be refused for that.
    if (it->second.is_number_unsigned() && it->second.get<uint64_t>() > uint64_t(INT64_MAX)) {
        error = "the JSON's \"" + std::string(key) + "\" is " + it->second.dump() + ", past the largest 64-bit integer";
        return false;
    }
    value = it->second.get<int64_t>();
    return true;
}

AudiowaveformRead readJson(const uint8_t* bytes, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(bytes), size);
    StrictJsonPlace place;
    PeaksSax sax(place, size);
    try {
        StrictJson::sax(text, sax, place);
    } catch (const StrictJsonError& e) {
        return refuse("the JSON " + (e.path().empty() ? e.reason() : e.path() + " " + e.reason()));
    }
    if (!sax.object)
        return refuse("the JSON is not an object");
    AudiowaveformRead out;
    AudiowaveformHeader& h = out.header;
    h.json = true;
    std::string error;
    const auto& j = sax.members;
    int64_t version = 0, bits = 0, rate = 0, spp = 0, length = 0, channels = 1;
    if (!integer(j, "version", version, error, false) || !integer(j, "channels", channels, error, false) || !integer(j, "sample_rate", rate, error)
        || !integer(j, "samples_per_pixel", spp, error) || !integer(j, "bits", bits, error) || !integer(j, "length", length, error))
        return refuse(error);
    // audiowaveform before 1.3 wrote no version (and one channel).
    if (!j.count("version"))
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
    if (!sax.hasData || !sax.dataIsArray)
        return refuse(!sax.hasData ? "the JSON has no \"data\"" : "the JSON's \"data\" is not an array");
    const uint64_t count = uint64_t(h.length) * uint64_t(h.channels) * 2;
    if (sax.dataCount != count)
        return refuse("the JSON's \"data\" holds " + std::to_string(sax.dataCount) + " values, but \"length\" " + std::to_string(h.length)
            + " x " + std::to_string(h.channels) + " channel" + (h.channels == 1 ? "" : "s") + " x 2 (min, max) is " + std::to_string(count));
    const int lo = h.bits == 8 ? -128 : -32768, hi = h.bits == 8 ? 127 : 32767;
    auto outside = [&](const std::string& value, size_t i) {
        return refuse("the JSON's data[" + std::to_string(i) + "] is " + value + ", outside " + std::to_string(lo) + ".." + std::to_string(hi)
            + " for " + std::to_string(h.bits) + "-bit peaks");
    };
    // Refused rather than clamped or wrapped: a value out of range means the writer is wrong,
    // and the decoded waveform is drawn instead.
    std::vector<int16_t>& values = sax.values;
    if (h.bits == 8) {
        for (size_t i = 0; i < values.size(); ++i) {
            if (values[i] < lo || values[i] > hi)
                return outside(std::to_string(values[i]), i);
            values[i] = int16_t(values[i] * 256);
        }
    }
    if (sax.bad && !sax.badText.empty())
        return outside(sax.badText, sax.badIndex);
    if (sax.bad)
        return sax.badValue.is_number_integer() ? outside(sax.badValue.dump(), sax.badIndex)
                                                : refuse("the JSON's data[" + std::to_string(sax.badIndex) + "] is " + sax.badValue.dump() + ", not an integer");
    out.data = std::move(values);
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
