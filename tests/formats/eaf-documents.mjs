// SPDX-License-Identifier: MIT
// ELAN documents built to the published EAF schema (validated with xmllint in the tests), each
// with the constructs ELAN itself writes: unaligned time slots on a time subdivision tier,
// reference annotations of a symbolic association and a symbolic subdivision, an included_in
// tier, and text that must come back exactly as written.

const head = (format) => `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-11-29T12:00:00+00:00" FORMAT="${format}" VERSION="${format}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv${format}.xsd">`;

const CONSTRAINTS = `    <CONSTRAINT DESCRIPTION="Time subdivision of parent annotation's time interval, no time gaps allowed within this interval" STEREOTYPE="Time_Subdivision"/>
    <CONSTRAINT DESCRIPTION="Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered" STEREOTYPE="Symbolic_Subdivision"/>
    <CONSTRAINT DESCRIPTION="1-1 association with a parent annotation" STEREOTYPE="Symbolic_Association"/>
    <CONSTRAINT DESCRIPTION="Time alignable annotations within the parent annotation's time interval, gaps are allowed" STEREOTYPE="Included_In"/>`;

/** EAF 3.0 with every construct; `expected` is what it reads as at 1000 Hz: [tier, start ms, end ms, text]. */
export const EAF_30 = {
  text: `${head('3.0')}
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
        <MEDIA_DESCRIPTOR MEDIA_URL="file:///data/call.wav" MIME_TYPE="audio/x-wav" RELATIVE_MEDIA_URL="./call.wav"/>
        <PROPERTY NAME="URN">urn:nl-mpi-tools-elan-eaf:00000000-0000-0000-0000-000000000000</PROPERTY>
        <PROPERTY NAME="lastUsedAnnotationId">12</PROPERTY>
    </HEADER>
    <TIME_ORDER>
        <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="1000"/>
        <TIME_SLOT TIME_SLOT_ID="ts2"/>
        <TIME_SLOT TIME_SLOT_ID="ts3"/>
        <TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="2000"/>
        <TIME_SLOT TIME_SLOT_ID="ts5" TIME_VALUE="2500"/>
        <TIME_SLOT TIME_SLOT_ID="ts6" TIME_VALUE="3000"/>
        <TIME_SLOT TIME_SLOT_ID="ts7" TIME_VALUE="3500"/>
        <TIME_SLOT TIME_SLOT_ID="ts8" TIME_VALUE="4000"/>
    </TIME_ORDER>
    <TIER LINGUISTIC_TYPE_REF="utterance" PARTICIPANT="Ada" TIER_ID="Ada" LANG_REF="eng">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts4">
                <ANNOTATION_VALUE>hello there world</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts5" TIME_SLOT_REF2="ts8">
                <ANNOTATION_VALUE>  007 &amp; &lt;b&gt; &#x2603;
</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="words" PARENT_REF="Ada" PARTICIPANT="Ada" TIER_ID="Ada words">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
                <ANNOTATION_VALUE>hello</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a4" TIME_SLOT_REF1="ts2" TIME_SLOT_REF2="ts3">
                <ANNOTATION_VALUE>there</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a5" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
                <ANNOTATION_VALUE>world</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="translation" PARENT_REF="Ada" PARTICIPANT="Ada" TIER_ID="Ada translation">
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a6" ANNOTATION_REF="a1">
                <ANNOTATION_VALUE>hallo daar wereld</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a7" ANNOTATION_REF="a2">
                <ANNOTATION_VALUE>007</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="morphemes" PARENT_REF="Ada words" PARTICIPANT="Ada" TIER_ID="Ada morphemes">
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a10" ANNOTATION_REF="a4" PREVIOUS_ANNOTATION="a9">
                <ANNOTATION_VALUE>re</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a9" ANNOTATION_REF="a4" PREVIOUS_ANNOTATION="a8">
                <ANNOTATION_VALUE>e</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a8" ANNOTATION_REF="a4">
                <ANNOTATION_VALUE>th</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="gesture" PARENT_REF="Ada" TIER_ID="Ada gesture">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a11" TIME_SLOT_REF1="ts6" TIME_SLOT_REF2="ts7">
                <ANNOTATION_VALUE>nod</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="utterance" PARTICIPANT="Bob" TIER_ID="Bob"/>
    <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="utterance" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Time_Subdivision" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="words" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="translation" TIME_ALIGNABLE="false"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Subdivision" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="morphemes" TIME_ALIGNABLE="false"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Included_In" CONTROLLED_VOCABULARY_REF="gestures" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="gesture" TIME_ALIGNABLE="true"/>
    <LANGUAGE LANG_DEF="http://cdb.iso.org/lg/CDB-00138502-001" LANG_ID="eng" LANG_LABEL="English (eng)"/>
${CONSTRAINTS}
    <CONTROLLED_VOCABULARY CV_ID="gestures">
        <DESCRIPTION LANG_REF="eng"/>
        <CV_ENTRY_ML CVE_ID="cveid1">
            <CVE_VALUE LANG_REF="eng">nod</CVE_VALUE>
        </CV_ENTRY_ML>
    </CONTROLLED_VOCABULARY>
</ANNOTATION_DOCUMENT>
`,
  // ELAN's own arithmetic: ts2, ts3 at 1000 + k * trunc(1000 / 3); a4's three morphemes at
  // 1333 + trunc(k * 333 / 3).
  expected: [
    ['utterance', 'Ada', 1000, 2000, 'hello there world'],
    ['words', 'Ada words', 1000, 1333, 'hello'],
    ['translation', 'Ada translation', 1000, 2000, 'hallo daar wereld'],
    ['words', 'Ada words', 1333, 1666, 'there'],
    ['morphemes', 'Ada morphemes', 1333, 1444, 'th'],
    ['morphemes', 'Ada morphemes', 1444, 1555, 'e'],
    ['morphemes', 'Ada morphemes', 1555, 1666, 're'],
    ['words', 'Ada words', 1666, 2000, 'world'],
    ['utterance', 'Ada', 2500, 4000, '  007 & <b> \u2603\n'],
    ['translation', 'Ada translation', 2500, 4000, '007'],
    ['gesture', 'Ada gesture', 3000, 3500, 'nod'],
  ],
  tracks: ['utterance/Ada', 'words/Ada words', 'translation/Ada translation', 'morphemes/Ada morphemes', 'gesture/Ada gesture', 'utterance/Bob'],
};

/** EAF 2.7 as ELAN 4.x wrote it (LOCALE, MEDIA_FILE, no LANGUAGE), with an unaligned slot and a reference. */
export const EAF_27 = {
  text: `${head('2.7')}
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
        <MEDIA_DESCRIPTOR MEDIA_URL="file:///data/old.mpg" MIME_TYPE="video/mpeg"/>
        <PROPERTY NAME="lastUsedAnnotationId">4</PROPERTY>
    </HEADER>
    <TIME_ORDER>
        <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>
        <TIME_SLOT TIME_SLOT_ID="ts2"/>
        <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="1501"/>
    </TIME_ORDER>
    <TIER DEFAULT_LOCALE="en" LINGUISTIC_TYPE_REF="default-lt" TIER_ID="speaker: K">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts3">
                <ANNOTATION_VALUE>two words</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER DEFAULT_LOCALE="en" LINGUISTIC_TYPE_REF="subdivision" PARENT_REF="speaker: K" TIER_ID="words">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
                <ANNOTATION_VALUE>two</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts2" TIME_SLOT_REF2="ts3">
                <ANNOTATION_VALUE>words</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER DEFAULT_LOCALE="en" LINGUISTIC_TYPE_REF="gloss" PARENT_REF="words" TIER_ID="gloss">
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a4" ANNOTATION_REF="a3">
                <ANNOTATION_VALUE>PL</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Time_Subdivision" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="subdivision" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="gloss" TIME_ALIGNABLE="false"/>
    <LOCALE COUNTRY_CODE="US" LANGUAGE_CODE="en"/>
${CONSTRAINTS}
</ANNOTATION_DOCUMENT>
`,
  expected: [
    ['speaker', 'K', 0, 1501, 'two words'],
    ['subdivision', 'words', 0, 750, 'two'],
    ['subdivision', 'words', 750, 1501, 'words'],
    ['gloss', 'gloss', 750, 1501, 'PL'],
  ],
};

/** Valid EAF that ELAN cannot place either: an unaligned slot on a top-level tier, one after the parent's end, a looping chain. */
export const EAF_UNPLACEABLE = {
  text: `${head('3.0')}
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
    <TIME_ORDER>
        <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="100"/>
        <TIME_SLOT TIME_SLOT_ID="ts2"/>
        <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="900"/>
        <TIME_SLOT TIME_SLOT_ID="ts4"/>
    </TIME_ORDER>
    <TIER LINGUISTIC_TYPE_REF="utterance" TIER_ID="top">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
                <ANNOTATION_VALUE>floating</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts3">
                <ANNOTATION_VALUE>fine</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="included" PARENT_REF="top" TIER_ID="child">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
                <ANNOTATION_VALUE>dangling</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="parts" PARENT_REF="top" TIER_ID="parts">
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a4" ANNOTATION_REF="a2" PREVIOUS_ANNOTATION="a5">
                <ANNOTATION_VALUE>x</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <REF_ANNOTATION ANNOTATION_ID="a5" ANNOTATION_REF="a2" PREVIOUS_ANNOTATION="a4">
                <ANNOTATION_VALUE>y</ANNOTATION_VALUE>
            </REF_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="utterance" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Included_In" LINGUISTIC_TYPE_ID="included" TIME_ALIGNABLE="true"/>
    <LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Subdivision" LINGUISTIC_TYPE_ID="parts" TIME_ALIGNABLE="false"/>
${CONSTRAINTS}
</ANNOTATION_DOCUMENT>
`,
  unplaceable: ['tier "top", annotation a1', 'tier "child", annotation a3', 'tier "parts", annotation a4', 'tier "parts", annotation a5'],
};
