// SPDX-License-Identifier: MIT
#include "DecodedPcmSource.h"
#include "MediaSession.h"
#include "MemoryReader.h"
#include "SpectrogramRenderer.h"
#include "SpectrumAnalyzer.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace avseg;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kRate = 48000;

struct Canvas {
    Canvas(int w, int h) : pixels(size_t(w) * h * 4), image{pixels.data(), w, h, w * 4} {}
    uint32_t at(int x, int y) const
    {
        const uint8_t* p = &pixels[(size_t(y) * image.width + x) * 4];
        return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
    }
    std::vector<uint8_t> pixels;
    RgbaImage image;
};

double luma(uint32_t c)
{
    return 0.2126 * double(c >> 24) + 0.7152 * double((c >> 16) & 0xff) + 0.0722 * double((c >> 8) & 0xff);
}

// Rows of column x at the column's greatest brightness (several when quantisation ties them).
std::vector<int> brightestRows(const Canvas& canvas, int x)
{
    double best = -1;
    std::vector<int> rows;
    for (int y = 0; y < canvas.image.height; ++y) {
        const double v = luma(canvas.at(x, y));
        if (v > best) {
            best = v;
            rows.clear();
        }
        if (v == best)
            rows.push_back(y);
    }
    return rows;
}

double meanBrightestRow(const Canvas& canvas, int x)
{
    const std::vector<int> rows = brightestRows(canvas, x);
    double sum = 0;
    for (int r : rows)
        sum += r;
    return sum / double(rows.size());
}

// Samples held in memory, planar; counts what is read.
class VectorSource : public PcmSource {
public:
    VectorSource(std::vector<std::vector<float>> channels, int rate) : pcm_(std::move(channels)), rate_(rate)
    {
        for (const auto& c : pcm_)
            planes_.push_back(c.data());
    }
    int sampleRate() const override { return rate_; }
    int channels() const override { return int(pcm_.size()); }
    int64_t frames() const override { return int64_t(pcm_[0].size()); }
    PcmSpan read(int64_t first, int64_t count) override
    {
        ++reads;
        const int64_t end = std::clamp<int64_t>(first + count, 0, frames());
        first = std::clamp<int64_t>(first, 0, frames());
        framesRead += end - first;
        for (size_t c = 0; c < pcm_.size(); ++c)
            planes_[c] = pcm_[c].data() + first;
        return {first, end - first, channels(), planes_.data()};
    }

    int reads = 0;
    int64_t framesRead = 0;

private:
    std::vector<std::vector<float>> pcm_;
    std::vector<const float*> planes_;
    int rate_;
};

std::vector<float> tone(size_t n, double hz, float amplitude = 0.5f)
{
    std::vector<float> s(n);
    for (size_t i = 0; i < n; ++i)
        s[i] = amplitude * static_cast<float>(std::sin(2 * kPi * hz * double(i) / kRate));
    return s;
}

SpectrogramStyle grayscale(FrequencyScale scale, int windowSize = 2048)
{
    SpectrogramStyle style;
    style.scale = scale;
    style.windowSize = windowSize;
    style.colorMap = ColorMap::Grayscale;
    style.minDb = -120;
    style.maxDb = 0;
    return style;
}

const char* scaleName(FrequencyScale s)
{
    return s == FrequencyScale::Linear ? "linear" : s == FrequencyScale::Mel ? "mel" : "log";
}

// A session over a fixture, decoded and with its seekable copy attached, as the worker does.
std::unique_ptr<MediaSession> loadSession(const std::string& name, SessionOptions options = {})
{
    auto session = std::make_unique<MediaSession>(options);
    const auto bytes = test::readBytes(test::fixture(name));
    session->push(bytes.data(), bytes.size());
    session->finish();
    session->attachSeekable(std::make_unique<MemoryReader>(bytes));
    while (session->pump(1 << 20) != StreamingDecoder::State::Done) {
    }
    return session;
}

// Tiles keep levels to a hundredth of a dB, so a pixel may land one palette step away.
void sameUpToLevelRounding(const Canvas& a, const Canvas& b)
{
    int differing = 0;
    for (int y = 0; y < a.image.height; ++y)
        for (int x = 0; x < a.image.width; ++x) {
            const uint32_t p = a.at(x, y), q = b.at(x, y);
            if (p == q)
                continue;
            ++differing;
            for (int shift = 8; shift < 32; shift += 8)
                REQUIRE(std::abs(int((p >> shift) & 0xff) - int((q >> shift) & 0xff)) <= 3);
        }
    REQUIRE(differing < a.image.width * a.image.height / 100);
}

std::vector<std::vector<float>> decodeAll(const std::string& name)
{
    test::CollectingSink sink;
    StreamingDecoder decoder(sink, nullptr);
    test::streamInto(decoder, test::readBytes(test::fixture(name)), 1 << 20);
    return sink.pcm;
}

} // namespace

TEST_CASE("frequency scales map rows to frequencies and back", "[SpectrogramRenderer]")
{
    for (FrequencyScale scale : {FrequencyScale::Linear, FrequencyScale::Mel, FrequencyScale::Log}) {
        SECTION(scaleName(scale))
        {
            SpectrogramStyle style;
            style.scale = scale;
            const FrequencyAxis axis = frequencyAxis(style, kRate, 300);
            REQUIRE(axis.maxHz == 24000);
            REQUIRE(axis.minHz == (scale == FrequencyScale::Log ? kLogMinHz : 0.0));
            REQUIRE(rowToHz(axis, 0) == Approx(axis.maxHz));
            REQUIRE(rowToHz(axis, 300) == Approx(axis.minHz).margin(1e-9));
            double previous = INFINITY;
            for (double y = 0; y <= 300; y += 0.25) {
                const double hz = rowToHz(axis, y);
                REQUIRE(hz < previous);
                REQUIRE(hzToRow(axis, hz) == Approx(y).margin(1e-9));
                previous = hz;
            }
            const double mid = rowToHz(axis, 150);
            if (scale == FrequencyScale::Linear)
                REQUIRE(mid == Approx(12000));
            else if (scale == FrequencyScale::Mel)
                REQUIRE(hzToMel(mid) == Approx(hzToMel(24000) / 2));
            else
                REQUIRE(mid == Approx(std::sqrt(20.0 * 24000)));
            REQUIRE(frequencyRow(axis, axis.maxHz) == 0);
            REQUIRE(frequencyRow(axis, axis.minHz) == 299);
            REQUIRE(frequencyRow(axis, 1e9) == 0);
        }
    }
    REQUIRE(hzToMel(700) == Approx(2595 * std::log10(2.0)));
    REQUIRE(melToHz(hzToMel(1234.5)) == Approx(1234.5));
    SpectrogramStyle band;
    band.minHz = 100;
    band.maxHz = 4100;
    const FrequencyAxis axis = frequencyAxis(band, kRate, 400);
    REQUIRE(frequencyRow(axis, 4095) == 0);
    REQUIRE(frequencyRow(axis, 2100) == 200);
    REQUIRE(frequencyRow(axis, 105) == 399);
}

TEST_CASE("a pure tone's brightest row is where the scale puts its frequency", "[SpectrogramRenderer]")
{
    const int n = 2048;
    const double binHz = double(kRate) / n;
    for (double hz : {440.0, 3000.0}) {
        VectorSource source({tone(kRate, hz)}, kRate);
        for (FrequencyScale scale : {FrequencyScale::Linear, FrequencyScale::Mel, FrequencyScale::Log}) {
            SECTION(std::to_string(int(hz)) + " Hz, " + scaleName(scale))
            {
                const SpectrogramStyle style = grayscale(scale, n);
                Canvas canvas(16, 240);
                renderSpectrogram(source, {4000.0, 2000.0}, style, canvas.image);
                const FrequencyAxis axis = frequencyAxis(style, kRate, 240);
                // The peak is on the bin nearest the tone, at most half a bin away.
                const int top = frequencyRow(axis, hz + binHz / 2), bottom = frequencyRow(axis, hz - binHz / 2);
                for (int x = 0; x < 16; ++x) {
                    for (int row : brightestRows(canvas, x)) {
                        INFO("column " << x << " row " << row << " expected " << frequencyRow(axis, hz));
                        REQUIRE(row >= top);
                        REQUIRE(row <= bottom);
                    }
                }
                // And it stands far above the rest of the column.
                REQUIRE(luma(canvas.at(8, frequencyRow(axis, hz))) > 200);
                REQUIRE(luma(canvas.at(8, frequencyRow(axis, hz * 3))) < 80);
            }
        }
    }
}

TEST_CASE("silence and the view beyond the media draw the floor colour", "[SpectrogramRenderer]")
{
    std::vector<float> s(20000, 0.0f);
    const std::vector<float> t = tone(4000, 1000);
    std::copy(t.begin(), t.end(), s.begin() + 8000);
    VectorSource source({s}, kRate);
    for (ColorMap map : {ColorMap::Magma, ColorMap::Viridis, ColorMap::Grayscale}) {
        SpectrogramStyle style;
        style.colorMap = map;
        style.windowSize = 1024;
        const uint32_t floor = colorAt(map, 0);
        Canvas canvas(100, 64);
        // 400 frames per column: the tone reaches columns 19 to 30, the media ends at column 50.
        renderSpectrogram(source, {0.0, 400.0}, style, canvas.image);
        for (int x = 0; x < 100; ++x) {
            const int64_t c = spectrogramCentre({0.0, 400.0}, x);
            const bool hearsTone = c + 512 > 8000 && c - 512 < 12000;
            int lit = 0;
            for (int y = 0; y < 64; ++y)
                lit += canvas.at(x, y) != floor;
            INFO("column " << x);
            if (hearsTone)
                REQUIRE(lit > 0);
            else
                REQUIRE(lit == 0);
        }
    }
}

TEST_CASE("columns line up with the waveform's frames at every zoom", "[SpectrogramRenderer]")
{
    // The centre frame of each column lies within the frames the waveform draws there.
    for (double fpp : {0.125, 0.6, 1.0, 37.5, 1024.0, 90000.0}) {
        for (double start : {0.0, 333.0, 1000.25}) {
            for (int x = 0; x < 500; ++x) {
                const int64_t f0 = int64_t(std::floor(start + x * fpp));
                const int64_t f1 = std::max(int64_t(std::floor(start + (x + 1) * fpp)), f0 + 1);
                const int64_t c = spectrogramCentre({start, fpp}, x);
                REQUIRE(c >= f0);
                REQUIRE(c <= f1);
            }
        }
    }
    // At one window per column, a tone burst lights exactly the columns the waveform draws it in.
    const int n = 1024;
    std::vector<float> s(40 * n, 0.0f);
    const std::vector<float> t = tone(10 * n + 400, 2000);
    std::copy(t.begin(), t.end(), s.begin() + 10 * n + 300);
    VectorSource source({s}, kRate);
    for (double start : {0.0, 333.0, -2000.0}) {
        const WaveformView view{start, double(n)};
        Canvas wave(40, 101), spec(40, 64);
        const float* ch[1] = {s.data()};
        WaveformStyle ws;
        renderSamples({0, int64_t(s.size()), 1, ch}, view, ws, wave.image);
        SpectrogramStyle style;
        style.windowSize = n;
        renderSpectrogram(source, view, style, spec.image);
        for (int x = 0; x < 40; ++x) {
            int ink = 0, lit = 0;
            for (int y = 0; y < 101; ++y)
                ink += wave.at(x, y) == ws.wave;
            for (int y = 0; y < 64; ++y)
                lit += spec.at(x, y) != colorAt(style.colorMap, 0);
            INFO("start " << start << " column " << x);
            REQUIRE((ink > 1) == (lit > 0));
        }
    }
}

TEST_CASE("the window size sets the frequency resolution", "[SpectrogramRenderer]")
{
    // Two tones 80 Hz apart: resolved by 8192 frames (bins of 5.9 Hz), merged by 256 (188 Hz).
    std::vector<float> pair = tone(kRate, 1000, 0.25f);
    const std::vector<float> other = tone(kRate, 1080, 0.25f);
    for (size_t i = 0; i < pair.size(); ++i)
        pair[i] += other[i];
    VectorSource source({pair}, kRate);
    auto column = [&](int windowSize, int rows, double maxHz) {
        SpectrogramStyle style = grayscale(FrequencyScale::Linear, windowSize);
        style.maxHz = maxHz;
        Canvas canvas(1, rows);
        renderSpectrogram(source, {24000.0, 1.0}, style, canvas.image);
        std::vector<double> v(size_t(rows), 0.0);
        for (int y = 0; y < rows; ++y)
            v[y] = luma(canvas.at(0, y));
        return std::make_pair(v, frequencyAxis(style, kRate, rows));
    };
    {
        const auto [fine, axis] = column(8192, 400, 2000);
        const double dip = fine[frequencyRow(axis, 1040)];
        CHECK(fine[frequencyRow(axis, 1000)] - dip > 40);   // about 20 dB at 255 / 120 dB per level
        CHECK(fine[frequencyRow(axis, 1080)] - dip > 40);
    }
    {
        const auto [coarse, axis] = column(256, 400, 2000);
        const double dip = coarse[frequencyRow(axis, 1040)];
        CHECK(std::abs(coarse[frequencyRow(axis, 1000)] - dip) < 10);
        CHECK(std::abs(coarse[frequencyRow(axis, 1080)] - dip) < 10);
    }
    // A single tone's peak narrows in proportion to the window.
    VectorSource single({tone(kRate, 1510)}, kRate);
    auto width = [&](int windowSize) {
        SpectrogramStyle style = grayscale(FrequencyScale::Linear, windowSize);
        style.maxHz = 3000;
        Canvas canvas(1, 1200);
        renderSpectrogram(single, {24000.0, 1.0}, style, canvas.image);
        double peak = 0;
        for (int y = 0; y < 1200; ++y)
            peak = std::max(peak, luma(canvas.at(0, y)));
        int rows = 0;   // within 30 dB of the peak: the main lobe
        for (int y = 0; y < 1200; ++y)
            rows += luma(canvas.at(0, y)) >= peak - 30 * 255.0 / 120;
        return rows;
    };
    const int w1024 = width(1024), w4096 = width(4096);
    INFO(w1024 << " rows at 1024, " << w4096 << " at 4096");
    CHECK(double(w1024) / w4096 > 3.0);
    CHECK(double(w1024) / w4096 < 5.0);
}

TEST_CASE("colour maps rise monotonically in brightness", "[SpectrogramRenderer]")
{
    for (ColorMap map : {ColorMap::Magma, ColorMap::Viridis, ColorMap::Grayscale}) {
        // Channels are rounded to whole values, which may take back up to half a unit of luma.
        double previous = -1;
        for (int i = 0; i <= 1000; ++i) {
            const uint32_t c = colorAt(map, i / 1000.0);
            REQUIRE((c & 0xff) == 0xff);
            REQUIRE(luma(c) >= previous - 0.5);
            previous = std::max(previous, luma(c));
        }
        for (int i = 1; i <= 32; ++i)
            REQUIRE(luma(colorAt(map, i / 32.0)) > luma(colorAt(map, (i - 1) / 32.0)));
        REQUIRE(luma(colorAt(map, 1)) - luma(colorAt(map, 0)) > 150);
        REQUIRE(colorAt(map, -1) == colorAt(map, 0));
        REQUIRE(colorAt(map, 2) == colorAt(map, 1));
    }
    REQUIRE(colorAt(ColorMap::Grayscale, 0) == 0x000000ffu);
    REQUIRE(colorAt(ColorMap::Grayscale, 1) == 0xffffffffu);
    REQUIRE(colorAt(ColorMap::Magma, 0) == 0x000004ffu);
    REQUIRE(colorAt(ColorMap::Viridis, 1) == 0xfde725ffu);
    SpectrogramStyle style;
    style.colorMap = ColorMap::Viridis;
    const SpectrogramPalette palette = spectrogramPalette(style);
    REQUIRE(palette.front() == colorAt(ColorMap::Viridis, 0));
    REQUIRE(palette.back() == colorAt(ColorMap::Viridis, 1));
}

TEST_CASE("zoomed out, a long medium costs one window read per column", "[SpectrogramRenderer]")
{
    // An hour at 48 kHz, computed only where read.
    class HourSource : public PcmSource {
    public:
        int sampleRate() const override { return kRate; }
        int channels() const override { return 1; }
        int64_t frames() const override { return int64_t(3600) * kRate; }
        PcmSpan read(int64_t first, int64_t count) override
        {
            ++reads;
            framesRead += count;
            buffer.resize(size_t(count));
            for (int64_t i = 0; i < count; ++i)
                buffer[i] = 0.5f * float(std::sin(2 * kPi * 1000.0 * double(first + i) / kRate));
            plane = buffer.data();
            return {first, count, 1, &plane};
        }
        int reads = 0;
        int64_t framesRead = 0;
        std::vector<float> buffer;
        const float* plane = nullptr;
    } source;
    Canvas canvas(300, 64);
    SpectrogramStyle style;
    renderSpectrogram(source, {0.0, double(source.frames()) / 300}, style, canvas.image);
    REQUIRE(source.reads == 300);
    REQUIRE(source.framesRead <= 300 * 2048);
    const FrequencyAxis axis = frequencyAxis(style, kRate, 64);
    REQUIRE(brightestRows(canvas, 150) == std::vector<int>{frequencyRow(axis, 1000)});
}

TEST_CASE("the invalid style or view draws only the floor colour", "[SpectrogramRenderer]")
{
    VectorSource source({tone(kRate, 1000)}, kRate);
    SpectrogramStyle bad;
    bad.windowSize = 1000;
    REQUIRE_FALSE(validSpectrogramStyle(bad));
    SpectrogramStyle inverted;
    inverted.minDb = 0;
    inverted.maxDb = -10;
    SpectrogramStyle narrowLog;
    narrowLog.scale = FrequencyScale::Log;
    narrowLog.maxHz = 15;
    REQUIRE(validSpectrogramStyle(SpectrogramStyle{}));
    for (const SpectrogramStyle& style : {bad, inverted, narrowLog}) {
        REQUIRE_FALSE(validSpectrogramStyle(style));
        Canvas canvas(8, 8);
        renderSpectrogram(source, {0.0, 100.0}, style, canvas.image);
        for (int x = 0; x < 8; ++x)
            for (int y = 0; y < 8; ++y)
                REQUIRE(canvas.at(x, y) == colorAt(style.colorMap, 0));
    }
    Canvas canvas(8, 8);
    renderSpectrogram(source, {NAN, 100.0}, SpectrogramStyle{}, canvas.image);
    REQUIRE(canvas.at(3, 3) == colorAt(ColorMap::Magma, 0));
}

TEST_CASE("a sox chirp's peak climbs steadily with time", "[SpectrogramRenderer][MediaSession]")
{
    const auto session = loadSession("chirp.wav");
    REQUIRE(session->framesDecoded() == 4 * kRate);
    SpectrogramStyle style = grayscale(FrequencyScale::Linear);
    style.maxHz = 10000;
    Canvas canvas(64, 256);
    const RenderInfo info = session->renderSpectrogram(canvas.image, {0.0, 4.0 * kRate / 64}, style);
    REQUIRE(info.fromSamples);
    const FrequencyAxis axis = frequencyAxis(style, kRate, 256);
    double previous = 1e9;
    for (int x = 1; x < 63; ++x) {
        const double row = meanBrightestRow(canvas, x);
        const double t = (x + 0.5) / 64 * 4.0;
        INFO("column " << x << " row " << row);
        REQUIRE(row < previous);   // rows count down as frequency rises
        REQUIRE(row == Approx(hzToRow(axis, 100 + 7900 * t / 4)).margin(3));
        previous = row;
    }
}

TEST_CASE("sox tones sit on their rows and the silence after them draws the floor", "[SpectrogramRenderer][MediaSession]")
{
    const auto session = loadSession("tones.wav");
    REQUIRE(session->framesDecoded() == 3 * kRate);
    for (FrequencyScale scale : {FrequencyScale::Linear, FrequencyScale::Mel, FrequencyScale::Log}) {
        SECTION(scaleName(scale))
        {
            const SpectrogramStyle style = grayscale(scale);
            Canvas canvas(36, 200);
            // 4000 frames per column: 440 Hz in columns 0-11, 3 kHz in 12-23, silence after.
            session->renderSpectrogram(canvas.image, {0.0, 4000.0}, style);
            const FrequencyAxis axis = frequencyAxis(style, kRate, 200);
            const double binHz = double(kRate) / style.windowSize;
            for (int x = 0; x < 36; ++x) {
                const int64_t c = spectrogramCentre({0.0, 4000.0}, x);
                INFO("column " << x);
                if (c + 1024 <= kRate || (c - 1024 >= kRate && c + 1024 <= 2 * kRate)) {
                    const double hz = c < kRate ? 440 : 3000;
                    for (int row : brightestRows(canvas, x)) {
                        REQUIRE(row >= frequencyRow(axis, hz + binHz / 2));
                        REQUIRE(row <= frequencyRow(axis, hz - binHz / 2));
                    }
                } else if (c - 1024 >= 2 * kRate) {
                    for (int y = 0; y < 200; ++y)
                        REQUIRE(canvas.at(x, y) == 0x000000ffu);
                }
            }
        }
    }
}

TEST_CASE("the session's tiles draw what the renderer draws, and panning reuses them", "[SpectrogramRenderer][MediaSession]")
{
    const auto session = loadSession("chirp.wav");
    VectorSource source(decodeAll("chirp.wav"), kRate);
    SpectrogramStyle style;
    style.scale = FrequencyScale::Mel;
    // startFrame a whole number of columns: grid columns 1024 to 1623, tiles 4 to 6.
    const WaveformView view{37.5 * 1024, 37.5};
    Canvas tiled(600, 128), direct(600, 128);
    const RenderInfo first = session->renderSpectrogram(tiled.image, view, style);
    renderSpectrogram(source, view, style, direct.image);
    sameUpToLevelRounding(tiled, direct);
    REQUIRE(first.tilesComputed == 3);
    REQUIRE(first.tilesReused == 0);

    // The same view, another colour map and range: nothing computed again.
    style.colorMap = ColorMap::Viridis;
    style.minDb = -80;
    const RenderInfo again = session->renderSpectrogram(tiled.image, view, style);
    REQUIRE(again.tilesComputed == 0);
    REQUIRE(again.tilesReused == 3);
    renderSpectrogram(source, view, style, direct.image);
    sameUpToLevelRounding(tiled, direct);

    // Panned by 200 columns (tiles 4 to 7), the frames per pixel off by an ulp as the UI's
    // arithmetic in seconds gives it.
    const WaveformView panned{view.startFrame + 200 * 37.5, std::nextafter(37.5, 100.0)};
    Canvas moved(600, 128);
    const RenderInfo pan = session->renderSpectrogram(moved.image, panned, style);
    REQUIRE(pan.tilesComputed == 1);
    REQUIRE(pan.tilesReused == 3);
    for (int x = 0; x < 400; ++x)
        for (int y = 0; y < 128; ++y)
            REQUIRE(moved.at(x, y) == tiled.at(x + 200, y));

    // Another window size is another set of tiles.
    style.windowSize = 512;
    REQUIRE(session->renderSpectrogram(moved.image, panned, style).tilesComputed == 4);
}

TEST_CASE("the tile cache stays within its budget beyond the view it draws", "[SpectrogramRenderer][MediaSession]")
{
    SessionOptions options;
    options.maxSpectrogramBytes = 256 << 10;
    const auto session = loadSession("chirp.wav", options);
    const size_t base = session->memoryBytes();
    SpectrogramStyle style;
    Canvas canvas(512, 100);   // a tile: 256 columns x 100 rows x 2 bytes = 50 KiB
    for (int i = 0; i < 40; ++i) {
        session->renderSpectrogram(canvas.image, {1000.0 * i, 1.0 + i}, style);
        REQUIRE(session->memoryBytes() < base + (256 << 10) + 3 * 52 * 1024 + (1 << 20));
    }
}

TEST_CASE("without the seekable copy the spectrogram is the floor colour, and says so", "[SpectrogramRenderer][MediaSession]")
{
    MediaSession session;
    const auto bytes = test::readBytes(test::fixture("tones.wav"));
    session.push(bytes.data(), bytes.size());
    session.finish();
    while (session.pump(1 << 20) != StreamingDecoder::State::Done) {
    }
    Canvas canvas(50, 40);
    SpectrogramStyle style;
    const RenderInfo info = session.renderSpectrogram(canvas.image, {0.0, 1000.0}, style);
    REQUIRE_FALSE(info.fromSamples);
    for (int x = 0; x < 50; ++x)
        for (int y = 0; y < 40; ++y)
            REQUIRE(canvas.at(x, y) == colorAt(ColorMap::Magma, 0));
    style.windowSize = 100;
    REQUIRE_THROWS_AS(session.renderSpectrogram(canvas.image, {0.0, 1000.0}, style), MediaError);
}

TEST_CASE("decoded reads equal the sequential decode, streaming over short gaps and seeking over long ones", "[DecodedPcmSource]")
{
    const auto bytes = test::readBytes(test::fixture("chirp.wav"));
    test::CollectingSink sink;
    SeekIndex index(2400);
    StreamingDecoder decoder(sink, &index);
    test::streamInto(decoder, bytes, 65536);
    MemoryReader reader(bytes);
    RangeDecoder ranges(reader, index, sink.format);
    DecodedPcmSource source(ranges, sink.format);
    source.setFrames(int64_t(sink.frames()));
    source.setSeekCost(20000);

    auto check = [&](int64_t first, int64_t count) {
        const PcmSpan span = source.read(first, count);
        const int64_t end = std::min<int64_t>(first + count, int64_t(sink.frames()));
        REQUIRE(span.firstFrame == std::max<int64_t>(first, 0));
        REQUIRE(span.frames == end - span.firstFrame);
        for (int64_t i = 0; i < span.frames; ++i)
            REQUIRE(span.data[0][i] == sink.pcm[0][size_t(span.firstFrame + i)]);
    };
    check(50000, 2048);
    REQUIRE(source.seeks() == 1);
    for (int64_t at = 51000; at < 60000; at += 700)   // overlapping windows
        check(at, 2048);
    check(70000, 2048);                                // a gap shorter than a seek
    REQUIRE(source.seeks() == 1);
    check(150000, 2048);                               // a long one
    REQUIRE(source.seeks() == 2);
    check(1000, 2048);                                 // backwards
    REQUIRE(source.seeks() == 3);
    check(-500, 2048);
    check(int64_t(sink.frames()) - 100, 2048);
    REQUIRE(source.read(int64_t(sink.frames()) + 10, 100).frames == 0);
}
