// SPDX-License-Identifier: MIT
// libFuzzer harness: the annotation document reader and the model behind it. Input: the
// document's text, optionally followed by a NUL byte and edits (one byte each, plus operands)
// applied to the model it loaded. The text goes in through AnnotationDocument::readText, as
// every document from outside does (the model's binding, the Lambdas through the wasm model).
// A bad document must fail with ConfigError and leave the model as it was (nothing already
// annotated is lost); a good one loads into a consistent model whose written document reads
// back to the same document; every edit keeps the model consistent, and undoing all of them
// gives back the document as loaded.
#include "AnnotationDocument.h"
#include "AnnotationModel.h"
#include "FuzzInput.h"
#include "LabelConfig.h"

#include <exception>
#include <string>

using namespace avseg;
using avseg::fuzz::bug;
using avseg::fuzz::Input;

namespace {

constexpr const char* kName = "fuzz_annotation_document";
constexpr int kMaxEdits = 32;

void consistent(const AnnotationModel& model, const char* after)
{
    const std::string problem = model.checkConsistency();
    if (!problem.empty())
        bug(kName, std::string("inconsistent after ") + after + ": " + problem);
}

const Segment* pick(const AnnotationModel& model, Input& in)
{
    const auto& all = model.segments();
    return all.empty() ? nullptr : all[in.byte() % all.size()];
}

int64_t position(const AnnotationModel& model, Input& in)
{
    const uint16_t v = in.u16();
    if (v & 0x8000)   // anywhere, including outside the media
        return int64_t(int16_t(v)) * 97;
    return model.mediaFrames() > 0 ? int64_t(v) % (model.mediaFrames() + 1) : int64_t(v);
}

void edit(AnnotationModel& model, Input& in)
{
    const uint8_t op = in.byte();
    const Segment* s = pick(model, in);
    const std::string id = s ? s->id : std::string("s404");
    const std::string track = model.tracks().empty() ? std::string("t404") : model.tracks()[in.byte() % model.tracks().size()].id;
    switch (op % 12) {
    case 0: model.addTrack("speaker", std::string(1, char('A' + in.byte() % 4))); break;
    case 1: model.removeTrack(track); break;
    case 2: {
        const int64_t a = position(model, in);
        model.addSegment(track, a, a + position(model, in) % 50000, {{"text", "x"}});
        break;
    }
    case 3: {
        const int64_t a = position(model, in);
        model.setBounds(id, a, position(model, in));
        break;
    }
    case 4: model.moveSegment(id, position(model, in), in.byte() & 1 ? track : std::string()); break;
    case 5: model.splitSegment(id, position(model, in)); break;
    case 6: {
        const Segment* next = model.nextOnTrack(id);
        model.mergeSegments(id, next ? next->id : id);
        break;
    }
    case 7: model.removeSegment(id); break;
    case 8: model.setField(id, "text", std::string(in.byte() % 3, 'y'), in.byte() & 1); break;
    case 9: model.setClassification("quality", int(in.byte()), in.byte() & 1); break;
    case 10: model.undo(); break;
    case 11: model.redo(); break;
    }
    consistent(model, "an edit");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t nul = input.find('\0');

    // What the editor already holds: a failed load must leave it as it was.
    AnnotationModel model;
    model.setTimebase(48000, 480000);
    model.addTrack("speaker", "Customer");
    model.addSegment(model.tracks()[0].id, 100, 4800, {{"text", "kept"}});
    AnnotationDocument reader;
    reader.taskId = "before";
    const nlohmann::json before = reader.write(model);
    try {
        reader.readText(input.substr(0, nul), model);
    } catch (const ConfigError&) {
        if (reader.write(model) != before)
            bug(kName, "a refused document changed the model");
        return 0;
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception reading: ") + e.what());
    }
    consistent(model, "reading");

    try {
        const nlohmann::json written = reader.write(model);
        const std::string text = written.dump();   // throws on strings that are not UTF-8
        AnnotationModel again;
        AnnotationDocument second;
        second.readText(text, again);
        if (second.write(again) != written)
            bug(kName, "the written document reads back differently:\n" + text + "\n" + second.write(again).dump());
        (void)model.allProblems();

        if (nul != std::string::npos) {
            Input in{data + nul + 1, size - nul - 1};
            int edits = 0;
            for (; edits < kMaxEdits && !in.empty(); ++edits)
                edit(model, in);
            (void)model.allProblems();
            while (model.undo()) {
            }
            if (model.toJson() != again.toJson())
                bug(kName, "undoing every edit does not give back the document as loaded");
        }
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception after a good read: ") + e.what());
    }
    return 0;
}
