"""What the demo's learners wrote in their portfolios: invented for the demo, in the shape the seeds describe.

The CLD micro-credential's portfolio has six parts (the seed); the texts below follow them for one case study,
a rangatahi (youth) hui in Porirua. The SEG learner's reflective account follows the centre's sample template.
None of it is anyone's real work.
"""

from __future__ import annotations

BACKGROUND = """\
<h2>Where I come from</h2>
<p>I have worked with Pasifika families in Porirua for nine years, first as a volunteer with our church youth
group and, since 2021, as community coordinator for the Pasifika Community Collective.</p>
<h2>My current roles</h2>
<ul>
<li>Community coordinator (paid, 30 hours a week): I bring families, churches and agencies together around
what our community says it needs.</li>
<li>Board member of a local food bank (voluntary).</li>
</ul>
<p>Most of my facilitation happens in fale, church halls and on the marae, often in two languages.</p>
"""

CASE_STUDY = """\
<h2>The rangatahi hui</h2>
<p>In March 2024 young people told us at a youth night that there was <strong>nothing for them to do after
school</strong> and that they never got asked. I offered to help them hold their own hui to decide what should
change, with the council, the churches and the sports clubs listening rather than leading.</p>
<h2>Bringing people together</h2>
<p>Four rangatahi formed a planning group. We met three times: they chose the questions, the venue (the
community hall, not the council chambers) and who to invite. I made sure the quieter young people from the
Tokelau and Kiribati communities were asked personally, through their youth leaders.</p>
<h2>Facilitating the hui</h2>
<p>Sixty-two people came. The rangatahi opened the hui and ran the table conversations; I kept time, looked
after the process and made sure the adults' table did not dominate the report-back.</p>
<h2>Coordinating the action</h2>
<p>The hui agreed three actions: a Friday night sports drop-in, a homework space in the library, and a
rangatahi seat on the community board's youth panel. The planning group now meets monthly.</p>
"""

CASE_STUDY_DRAFT = """\
<h2>The community garden hui (draft)</h2>
<p>In May the council asked me to "consult" on the empty lot behind the library. I suggested instead that we
ask the neighbours to run the conversation themselves.</p>
<p><em>Still to write: who came, how the small groups worked, and what happened next.</em></p>
"""

SINA_CASE_STUDY = """\
<h2>The Cannons Creek street party hui</h2>
<p>After two break-ins on our street, neighbours asked the Trust to "do something about safety". I suggested
that the neighbours themselves meet first, and offered to facilitate.</p>
<h2>Bringing people together</h2>
<p>We knocked on every door of the street with a flyer in four languages. Thirty-five households came to a
hui in the school hall, including several families who had never been to a Trust event.</p>
<h2>Facilitating and coordinating</h2>
<p>I used a world caf\u00e9 so that every table could talk in its own language, with a scribe from each. The
neighbours chose a street party as their first action, organised by a group of eight, and it happened in
March with 200 people.</p>
"""

MEI_BACKGROUND = """\
<p>I am a community development advisor at Hutt City Council. Before that I worked for six years in
neighbourhood support, where I first facilitated residents' meetings.</p>
"""

REFLECTIONS = """\
<h2>What I learned</h2>
<p>Workshop 3's feedback made me notice how often I step in to "rescue" a conversation. At the hui I practised
waiting: the silence after the first question lasted almost a minute, and then a Year 11 student spoke and
everyone followed.</p>
<h2>What I would do differently</h2>
<ul>
<li>Give the planning group a budget of its own from the start, so that decisions are really theirs.</li>
<li>Invite parents to a separate session, so that young people can speak freely.</li>
</ul>
"""

PLAN = """\
<h2>My plan for the next year</h2>
<ol>
<li>Co-facilitate with two of the rangatahi, so that they lead the next hui themselves.</li>
<li>Read and use the CLD principles with the Collective's board when we plan our year.</li>
<li>Find a mentor outside my organisation and meet every two months.</li>
</ol>
"""

SEG_REFLECTIVE_ACCOUNT = """\
<h2>Listening campaign on the Northbank estate</h2>
<p>Over six weeks I held 40 one-to-one conversations with tenants, using the listening approach from our
sessions. I kept a log of each conversation (attached) and we met as a group to find the shared issues.</p>
<p>Damp and repairs came up in 31 of the 40 conversations, so the group chose it as the first issue to act
on. I explain below how this meets the criteria for the unit.</p>
"""

#: The attestations, as the attestors wrote them (the demo completes them through the attestor's own service).
PARTICIPANT_ATTESTATION = (
    "I was one of the rangatahi on the planning group for the hui. Leilani helped us run it ourselves: she "
    "never took over, but she made sure we were ready and that everyone got a say. Three things we asked for are "
    "happening now because of it."
)
MANAGER_ATTESTATION = (
    "I manage the Collective and saw the hui and its planning. Leilani's facilitation let the young people lead "
    "while keeping the council and churches in a listening role. She follows up on what was agreed."
)

SINA_PARTICIPANT_ATTESTATION = (
    "I live on the street and came to the hui with my two teenagers. Sina made sure every table could talk in its "
    "own language and that the neighbours, not the Trust, chose what to do. I joined the party group afterwards."
)
SINA_MENTOR_ATTESTATION = (
    "I have mentored Sina for two years. I watched her plan the street hui and debriefed it with her: she let the "
    "neighbours lead, noticed who was missing, and followed up with them herself."
)
