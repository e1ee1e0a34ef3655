// SPDX-License-Identifier: MIT
#include "MediaError.h"
#include "SpectrumAnalyzer.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <vector>

using namespace avseg;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> sine(size_t n, double cyclesPerFrame, float amplitude, double phase = 0)
{
    std::vector<float> s(n);
    for (size_t i = 0; i < n; ++i)
        s[i] = amplitude * static_cast<float>(std::sin(2 * kPi * cyclesPerFrame * double(i) + phase));
    return s;
}

// The definition, in double precision: |sum w[i] x[i] e^(-2 pi i k / n)| * 2 / sum w, in dB.
std::vector<double> directDb(const std::vector<float>& x)
{
    const size_t n = x.size();
    double sum = 0;
    std::vector<double> w(n);
    for (size_t i = 0; i < n; ++i)
        sum += w[i] = 0.5 - 0.5 * std::cos(2 * kPi * double(i) / double(n));
    std::vector<double> db(n / 2 + 1);
    for (size_t k = 0; k <= n / 2; ++k) {
        std::complex<double> acc = 0;
        for (size_t i = 0; i < n; ++i)
            acc += w[i] * x[i] * std::polar(1.0, -2 * kPi * double(k * i % n) / double(n));
        db[k] = 20 * std::log10(std::max(std::abs(acc) * 2 / sum, 1e-10));
    }
    return db;
}

} // namespace

TEST_CASE("the spectrum equals a direct DFT of the Hann-windowed frame", "[SpectrumAnalyzer]")
{
    for (int n : {256, 1024}) {
        SECTION(std::to_string(n))
        {
            const std::vector<float> x = test::randomSignal(size_t(n), unsigned(n));
            SpectrumAnalyzer analyzer(n);
            std::vector<float> db(size_t(analyzer.binCount()));
            analyzer.analyse(x.data(), db.data());
            const std::vector<double> want = directDb(x);
            REQUIRE(analyzer.binCount() == n / 2 + 1);
            for (size_t k = 0; k < want.size(); ++k) {
                INFO("bin " << k);
                // Bins far below the loudest lose precision in float; compare what is visible.
                if (want[k] > -80)
                    REQUIRE(db[k] == Approx(want[k]).margin(0.01));
            }
        }
    }
}

TEST_CASE("a full-scale sine on a bin centre reads 0 dB there, half scale -6 dB", "[SpectrumAnalyzer]")
{
    SpectrumAnalyzer analyzer(2048);
    std::vector<float> db(size_t(analyzer.binCount()));
    for (int bin : {10, 200, 1000}) {
        analyzer.analyse(sine(2048, bin / 2048.0, 1.0f, 0.3).data(), db.data());
        CHECK(db[bin] == Approx(0.0).margin(0.01));
        CHECK(db[bin + 3] < -60);
        analyzer.analyse(sine(2048, bin / 2048.0, 0.5f).data(), db.data());
        CHECK(db[bin] == Approx(-6.02).margin(0.01));
    }
    const std::vector<float> silence(2048, 0.0f);
    analyzer.analyse(silence.data(), db.data());
    for (float v : db)
        REQUIRE(v == SpectrumAnalyzer::kFloorDb);
}

TEST_CASE("channels are averaged and frames outside the span read as zeros", "[SpectrumAnalyzer]")
{
    const int n = 512;
    const std::vector<float> s = sine(3000, 0.05, 0.8f);
    std::vector<float> neg(s.size());
    for (size_t i = 0; i < s.size(); ++i)
        neg[i] = -s[i];
    SpectrumAnalyzer analyzer(n);
    std::vector<float> mono(size_t(analyzer.binCount())), got(mono.size());

    const float* same[2] = {s.data(), s.data()};
    analyzer.analyse(s.data() + 1000, mono.data());
    analyzer.analyse(PcmSpan{0, int64_t(s.size()), 2, same}, 1000, got.data());
    REQUIRE(got == mono);

    const float* opposite[2] = {s.data(), neg.data()};
    analyzer.analyse(PcmSpan{0, int64_t(s.size()), 2, opposite}, 1000, got.data());
    for (float v : got)
        REQUIRE(v == SpectrumAnalyzer::kFloorDb);

    // A span starting at frame 2000 read from frame 1800: the first 200 frames are zeros.
    std::vector<float> padded(n, 0.0f);
    std::copy(s.begin() + 2000, s.begin() + 2000 + (n - 200), padded.begin() + 200);
    analyzer.analyse(padded.data(), mono.data());
    const float* tail[1] = {s.data() + 2000};
    analyzer.analyse(PcmSpan{2000, int64_t(s.size()) - 2000, 1, tail}, 1800, got.data());
    REQUIRE(got == mono);
}

TEST_CASE("window sizes are powers of two from 256 to 8192", "[SpectrumAnalyzer]")
{
    for (int n : {256, 512, 1024, 2048, 4096, 8192})
        CHECK(SpectrumAnalyzer::validWindowSize(n));
    for (int n : {0, -256, 128, 300, 1000, 16384})
        CHECK_FALSE(SpectrumAnalyzer::validWindowSize(n));
    REQUIRE_THROWS_AS(SpectrumAnalyzer(1000), MediaError);
    REQUIRE(SpectrumAnalyzer(8192).binCount() == 4097);
}
