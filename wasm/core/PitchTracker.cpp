// SPDX-License-Identifier: MIT
#include "PitchTracker.h"

#include "MediaError.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace avseg {

namespace {

constexpr double kPi = 3.14159265358979323846;
// The decimated copy keeps at least this rate, and ten samples per period at the ceiling.
constexpr double kMinRate = 8000;
constexpr double kSamplesPerCeilingPeriod = 10;
// The low-pass before decimation, as a fraction of the decimated rate (so at least 3 x the ceiling).
constexpr double kCutoff = 0.3;
// The running sums start again from a direct computation at grid indices that are multiples of
// this, so that what a grid point gets depends on its index alone, not on the piece asked for.
constexpr int64_t kBlock = 64;
constexpr int64_t kBlocksPerChunk = 16;
// A window whose mean square is below this (-70 dBFS) is silent: unvoiced, clarity 0.
constexpr double kSilence = 1e-7;
// YIN's step 6 searches the best neighbour's period +-20%.
constexpr double kLocalRange = 0.2;
// Where the channels' mean keeps less than this share (-20 dB) of the channels' mean power, the
// channels cancel (one is polarity-inverted): the loudest channel is tracked instead. Partial
// cancellation only scales the mean, which YIN does not mind.
constexpr double kCancelled = 0.01;

int64_t floorDiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t ceilDiv(int64_t a, int64_t b)
{
    return -floorDiv(-a, b);
}

[[noreturn]] void refuse(const std::string& what)
{
    throw MediaError(ErrorCode::InvalidValue, "pitch analysis: " + what);
}

// YIN's steps 3 and 4 on d' over lags [lo, hi]: the first lag under the threshold, followed down
// to the bottom of its dip; the deepest lag when none is under it. The depth is d' there.
struct Dip {
    int lag;
    double depth;
};

Dip chooseDip(const float* cmnd, int lo, int hi, double threshold)
{
    for (int tau = lo; tau <= hi; ++tau) {
        if (cmnd[tau] < threshold) {
            while (tau < hi && cmnd[tau + 1] < cmnd[tau])
                ++tau;
            return {tau, cmnd[tau]};
        }
    }
    int best = lo;
    for (int tau = lo + 1; tau <= hi; ++tau)
        if (cmnd[tau] < cmnd[best])
            best = tau;
    return {best, cmnd[best]};
}

// YIN's step 5: the vertex of the parabola through d at lag - 1, lag, lag + 1 (the raw difference,
// which the normalisation does not tilt).
double refineLag(const float* d, int lag)
{
    const double a = d[lag - 1], b = d[lag], c = d[lag + 1];
    const double curvature = a - 2 * b + c;
    if (!(curvature > 0))
        return lag;
    return lag + std::clamp(0.5 * (a - c) / curvature, -1.0, 1.0);
}

// The lag sums for one window position j, both parities at once: back[m] = x[j - m],
// fwd[m] = x[j + m]; even lag 2m pairs x[j - m] with x[j + m], odd lag 2m + 1 with x[j + m + 1],
// so that every lag's window is centred on the same point.
void addPosition(double* __restrict even, double* __restrict odd, const double* __restrict back,
    const double* __restrict fwd, int evens, int odds)
{
    for (int m = 0; m < evens; ++m) {
        const double t = back[m] - fwd[m];
        even[m] += t * t;
    }
    for (int m = 0; m < odds; ++m) {
        const double t = back[m] - fwd[m + 1];
        odd[m] += t * t;
    }
}

// The window moves on by one sample: position "in" enters, "out" leaves.
void movePosition(double* __restrict even, double* __restrict odd, const double* __restrict backIn,
    const double* __restrict fwdIn, const double* __restrict backOut, const double* __restrict fwdOut,
    int evens, int odds)
{
    for (int m = 0; m < evens; ++m) {
        const double a = backIn[m] - fwdIn[m];
        const double b = backOut[m] - fwdOut[m];
        even[m] += a * a - b * b;
    }
    for (int m = 0; m < odds; ++m) {
        const double a = backIn[m] - fwdIn[m + 1];
        const double b = backOut[m] - fwdOut[m + 1];
        odd[m] += a * a - b * b;
    }
}

} // namespace

struct PitchTracker::Raw {
    bool silent = true;
    int lag = 0;
    double period = 0;        // refined lag, decimated samples
    double aperiodicity = 1;  // d' interpolated at the dip
};

PitchTracker::PitchTracker(int sampleRate, PitchOptions options) : sampleRate_(sampleRate), options_(options)
{
    if (sampleRate <= 0)
        refuse("the sample rate must be positive, not " + std::to_string(sampleRate));
    if (!(options.floorHz >= 20) || !(options.ceilingHz > options.floorHz))
        refuse("the floor must be at least 20 Hz and below the ceiling, not " + std::to_string(options.floorHz)
            + " Hz to " + std::to_string(options.ceilingHz) + " Hz");
    if (options.ceilingHz > sampleRate / 4.0)
        refuse("the ceiling (" + std::to_string(options.ceilingHz) + " Hz) must be at most a quarter of the sample rate ("
            + std::to_string(sampleRate) + " Hz)");
    if (!(options.hopSeconds > 0) || !(options.hopSeconds <= 1))
        refuse("the hop must be more than 0 s and at most 1 s, not " + std::to_string(options.hopSeconds));
    if (!(options.threshold > 0) || !(options.threshold < 1))
        refuse("the threshold must be between 0 and 1, not " + std::to_string(options.threshold));
    if (!(options.voicingThreshold > 0) || !(options.voicingThreshold < 1))
        refuse("the voicing threshold must be between 0 and 1, not " + std::to_string(options.voicingThreshold));

    hop_ = std::max(1, static_cast<int>(std::lround(options.hopSeconds * sampleRate)));
    // The largest divisor of the hop that keeps the rate: grid points fall on decimated samples.
    const double wantRate = std::max(kMinRate, kSamplesPerCeilingPeriod * options.ceilingHz);
    for (int d = hop_; d >= 1; --d) {
        if (hop_ % d == 0 && sampleRate / double(d) >= wantRate) {
            decimation_ = d;
            break;
        }
    }
    hopDecimated_ = hop_ / decimation_;
    rate_ = sampleRate / double(decimation_);
    tauMin_ = std::max(2, static_cast<int>(std::floor(rate_ / options.ceilingHz)));
    tauMax_ = std::max(tauMin_ + 1, static_cast<int>(std::ceil(rate_ / options.floorHz)));
    // The integration window is about the longest period (YIN's W), as in the paper.
    halfWindow_ = (tauMax_ + 1) / 2;
    neighbours_ = static_cast<int>(std::floor(sampleRate / (2 * options.floorHz) / hop_));

    // A Blackman-windowed sinc cut at 0.3 of the decimated rate, even without decimation: between
    // whole lags the difference function then bends smoothly, so that a period that is not a
    // whole number of samples still dips deep (wide-band pulses otherwise read as aperiodic)
    // and the parabola of step 5 fits the dip.
    filterHalf_ = 12 * decimation_;
    const double cutoff = kCutoff / decimation_;
    const int taps = 2 * filterHalf_ + 1;
    filter_.resize(size_t(taps));
    double sum = 0;
    for (int i = 0; i < taps; ++i) {
        const double n = i - filterHalf_;
        const double sinc = n == 0 ? 2 * cutoff : std::sin(2 * kPi * cutoff * n) / (kPi * n);
        const double w = 0.42 - 0.5 * std::cos(2 * kPi * i / (taps - 1)) + 0.08 * std::cos(4 * kPi * i / (taps - 1));
        sum += filter_[size_t(i)] = sinc * w;
    }
    for (double& h : filter_)
        h /= sum;
}

void PitchTracker::chooseChannels(PcmSource& pcm, int64_t firstBlock, int64_t blocks, int64_t readFrom,
    std::vector<int>& out)
{
    out.assign(size_t(blocks), -1);
    if (pcm.channels() < 2)
        return;
    const int64_t blockFrames = kBlock * hop_;
    const int64_t from = firstBlock * blockFrames;
    // Read from where the decimation will (a decoding source would seek back otherwise).
    readFrom = std::clamp<int64_t>(readFrom, 0, from);
    const PcmSpan span = pcm.read(readFrom, from + blocks * blockFrames - readFrom);
    if (span.frames <= 0 || !span.data || span.channels < 2)
        return;
    std::vector<double> each(size_t(span.channels));
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t lo = std::max(from + b * blockFrames, span.firstFrame);
        const int64_t hi = std::min(from + (b + 1) * blockFrames, span.firstFrame + span.frames);
        if (hi <= lo)
            continue;
        std::fill(each.begin(), each.end(), 0.0);
        double mixed = 0;
        for (int64_t f = lo - span.firstFrame; f < hi - span.firstFrame; ++f) {
            double sum = 0;
            for (int c = 0; c < span.channels; ++c) {
                const double v = span.data[c][f];
                each[size_t(c)] += v * v;
                sum += v;
            }
            mixed += sum * sum;
        }
        double total = 0;
        for (double e : each)
            total += e;
        // mixed is the channels' sum squared: C^2 times the mean's power; total is C times the mean power.
        if (total > 0 && mixed < kCancelled * span.channels * total)
            out[size_t(b)] = int(std::max_element(each.begin(), each.end()) - each.begin());
    }
}

void PitchTracker::decimate(PcmSource& pcm, int64_t from, int64_t count, int channel, std::vector<double>& out)
{
    const int64_t lo = from * decimation_ - filterHalf_;
    const int64_t hi = (from + count - 1) * decimation_ + filterHalf_ + 1;
    mono_.assign(size_t(hi - lo), 0.0f);
    const int64_t readFrom = std::max<int64_t>(lo, 0);
    if (hi > readFrom) {
        const PcmSpan span = pcm.read(readFrom, hi - readFrom);
        if (span.frames > 0 && span.data && span.channels > 0) {
            float* dst = mono_.data() + (span.firstFrame - lo);
            if (channel >= 0 && channel < span.channels) {
                std::copy(span.data[channel], span.data[channel] + span.frames, dst);
            } else {
                const float mix = 1.0f / span.channels;
                for (int c = 0; c < span.channels; ++c) {
                    const float* src = span.data[c];
                    for (int64_t f = 0; f < span.frames; ++f)
                        dst[f] += src[f] * mix;
                }
            }
        }
    }
    out.resize(size_t(count));
    const int taps = static_cast<int>(filter_.size());
    const double* h = filter_.data();
    for (int64_t q = 0; q < count; ++q) {
        const float* x = mono_.data() + q * decimation_;
        double acc = 0;
        for (int i = 0; i < taps; ++i)
            acc += h[i] * x[i];
        out[size_t(q)] = acc;
    }
}

PitchTrack PitchTracker::track(PcmSource& pcm, int64_t first, int64_t count)
{
    PitchTrack result;
    result.hop = hop_;
    const int64_t frames = pcm.frames();
    const int64_t end = std::min(first + std::max<int64_t>(count, 0), frames);
    first = std::max<int64_t>(first, 0);
    result.firstIndex = ceilDiv(first, hop_);
    if (end <= first)
        return result;
    const int64_t i0 = result.firstIndex;
    const int64_t i1 = ceilDiv(end, hop_);
    if (i1 <= i0)
        return result;
    result.hz.assign(size_t(i1 - i0), 0.0f);
    result.clarity.assign(size_t(i1 - i0), 0.0f);

    // Raw estimates for the neighbours too (step 6), wherever the file has grid points.
    const int64_t fileEnd = ceilDiv(frames, hop_);
    const int64_t r0 = std::max<int64_t>(0, i0 - neighbours_);
    const int64_t r1 = std::min(fileEnd, i1 + neighbours_);

    const int evens = tauMax_ / 2 + 2;      // even lags 0 .. tauMax_ + 1 and one spare
    const int odds = (tauMax_ + 1) / 2 + 1; // odd lags 1 .. tauMax_ + 1
    const int64_t h = halfWindow_;
    const int64_t margin = h + std::max(evens, odds + 1) + 1;
    const int lags = tauMax_ + 2;           // d and d' at 0 .. tauMax_ + 1
    const int64_t ring = 2 * int64_t(neighbours_) + 1;
    std::vector<float> dRing(static_cast<size_t>(ring * lags)), cmndRing(static_cast<size_t>(ring * lags));
    std::vector<Raw> raws(static_cast<size_t>(ring));
    std::vector<double> even(static_cast<size_t>(evens)), odd(static_cast<size_t>(odds));
    std::vector<double> x, reversed, blockX, blockReversed;
    std::vector<int> channels;

    auto finish = [&](int64_t t) {
        const Raw& raw = raws[size_t(t % ring)];
        float& hz = result.hz[size_t(t - i0)];
        float& clarity = result.clarity[size_t(t - i0)];
        if (raw.silent)
            return;
        // Step 6: the neighbour (within half the longest period) with the clearest periodicity
        // guides this point's choice, within +-20% of its period.
        int64_t best = t;
        for (int64_t n = std::max(r0, t - neighbours_); n <= std::min(r1 - 1, t + neighbours_); ++n) {
            const Raw& other = raws[size_t(n % ring)];
            if (!other.silent && other.aperiodicity < raws[size_t(best % ring)].aperiodicity)
                best = n;
        }
        const float* cmnd = cmndRing.data() + (t % ring) * lags;
        const float* d = dRing.data() + (t % ring) * lags;
        Dip dip{raw.lag, raw.aperiodicity};
        if (best != t) {
            const double period = raws[size_t(best % ring)].period;
            const int lo = std::max(tauMin_, static_cast<int>(std::ceil(period * (1 - kLocalRange))));
            const int hi = std::min(tauMax_, static_cast<int>(std::floor(period * (1 + kLocalRange))));
            if (lo <= hi)
                dip = chooseDip(cmnd, lo, hi, options_.threshold);
        }
        clarity = static_cast<float>(std::clamp(1.0 - dip.depth, 0.0, 1.0));
        if (dip.depth < options_.voicingThreshold)
            hz = static_cast<float>(rate_ / refineLag(d, dip.lag));
    };

    auto evaluate = [&](int64_t k, int64_t c, const double* xs, int64_t xFrom) {
        Raw& raw = raws[size_t(k % ring)];
        const double* win = xs + (c - h - xFrom);
        double energy = 0;
        for (int64_t j = 0; j < 2 * h; ++j)
            energy += win[j] * win[j];
        raw = Raw{};
        if (energy < kSilence * double(2 * h))
            return;
        float* d = dRing.data() + (k % ring) * lags;
        float* cmnd = cmndRing.data() + (k % ring) * lags;
        // Steps 2 and 3: the difference function and its cumulative mean normalisation.
        d[0] = 0;
        cmnd[0] = 1;
        double sum = 0;
        for (int tau = 1; tau < lags; ++tau) {
            const double value = (tau & 1) ? odd[size_t(tau >> 1)] : even[size_t(tau >> 1)];
            d[tau] = static_cast<float>(value);
            sum += value;
            cmnd[tau] = sum > 0 ? static_cast<float>(value * tau / sum) : 1.0f;
        }
        raw.silent = false;
        const Dip dip = chooseDip(cmnd, tauMin_, tauMax_, options_.threshold);
        raw.lag = dip.lag;
        raw.period = refineLag(d, dip.lag);
        raw.aperiodicity = dip.depth;
    };

    for (int64_t chunk = floorDiv(r0, kBlock) * kBlock; chunk < r1; chunk += kBlock * kBlocksPerChunk) {
        const int64_t chunkEnd = std::min(chunk + kBlock * kBlocksPerChunk, r1);
        // What each 64-point block tracks depends on its own samples only, so pieces still join.
        const int64_t xFrom = chunk * hopDecimated_ - margin;
        chooseChannels(pcm, chunk / kBlock, ceilDiv(chunkEnd - chunk, kBlock), xFrom * decimation_ - filterHalf_, channels);
        const bool same = std::all_of(channels.begin(), channels.end(), [&](int c) { return c == channels[0]; });
        const int64_t xCount = (chunkEnd - 1 - chunk) * hopDecimated_ + 2 * margin + 1;
        if (same) {
            decimate(pcm, xFrom, xCount, channels[0], x);
            reversed.assign(x.rbegin(), x.rend());
        }

        for (int64_t block = chunk; block < chunkEnd; block += kBlock) {
            const int64_t blockEnd = std::min(block + kBlock, chunkEnd);
            // The block's own decimated copy when the chunk's blocks disagree (values are the same
            // samples either way: decimation reads the PCM around each sample only).
            const double* xs = x.data();
            const double* rs = reversed.data();
            int64_t from = xFrom, last = xCount - 1;
            if (!same) {
                from = block * hopDecimated_ - margin;
                const int64_t count = (blockEnd - 1 - block) * hopDecimated_ + 2 * margin + 1;
                decimate(pcm, from, count, channels[size_t((block - chunk) / kBlock)], blockX);
                blockReversed.assign(blockX.rbegin(), blockX.rend());
                xs = blockX.data();
                rs = blockReversed.data();
                last = count - 1;
            }
            // x[j - m] is rs[last - (j - from) + m]: both directions read forwards.
            auto fwd = [&](int64_t j) { return xs + (j - from); };
            auto back = [&](int64_t j) { return rs + (last - (j - from)); };
            int64_t c = block * hopDecimated_;
            std::fill(even.begin(), even.end(), 0.0);
            std::fill(odd.begin(), odd.end(), 0.0);
            for (int64_t j = c - h; j < c + h; ++j)
                addPosition(even.data(), odd.data(), back(j), fwd(j), evens, odds);
            for (int64_t k = block; k < blockEnd; ++k) {
                if (k > block) {
                    for (int s = 0; s < hopDecimated_; ++s, ++c)
                        movePosition(even.data(), odd.data(), back(c + h), fwd(c + h), back(c - h), fwd(c - h), evens, odds);
                }
                if (k < r0)
                    continue;
                evaluate(k, c, xs, from);
                const int64_t t = k - neighbours_;
                if (t >= i0 && t < i1)
                    finish(t);
            }
        }
    }
    // Points whose later neighbours run past the end of the file.
    for (int64_t t = std::max(i0, r1 - neighbours_); t < i1; ++t)
        finish(t);
    return result;
}

PitchRange speakerRange(const PitchTrack& wide, PitchRange fallback)
{
    std::vector<float> voiced;
    for (float hz : wide.hz)
        if (hz > 0)
            voiced.push_back(hz);
    if (voiced.size() < kMinVoicedForRange)
        return fallback;
    auto quantile = [&](double q) {
        // Linear interpolation between order statistics (type 7).
        const double at = q * double(voiced.size() - 1);
        const size_t below = static_cast<size_t>(std::floor(at));
        std::nth_element(voiced.begin(), voiced.begin() + long(below), voiced.end());
        const double low = voiced[below];
        if (below + 1 >= voiced.size())
            return low;
        const double high = *std::min_element(voiced.begin() + long(below) + 1, voiced.end());
        return low + (high - low) * (at - double(below));
    };
    // Hirst (2007) and De Looze and Hirst (2008): 0.75 x the first quartile and 1.5 x the third,
    // rounded down and up to 10 Hz.
    PitchRange range;
    // Never under the 20 Hz the tracker accepts.
    range.floorHz = std::max(20.0, std::floor(0.75 * quantile(0.25) / 10) * 10);
    range.ceilingHz = std::ceil(1.5 * quantile(0.75) / 10) * 10;
    if (!(range.floorHz > 0) || !(range.ceilingHz > range.floorHz))
        return fallback;
    return range;
}

} // namespace avseg
