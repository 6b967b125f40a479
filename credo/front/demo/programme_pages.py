"""The micro-credential's page as the seed's page reads: its sections, the information session held by the
facilitators on 14 February 2024 (with its recording), graduates' words published with their consent, and a few
resources for enrolled learners. Made through the same services programme admins and facilitators use.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from credo.front.demo.programmes_history import AUCKLAND
from credo.programmes.models import Programme, ProgrammePage, ResourceKind
from credo.programmes.services import cohorts, pages

SUPPORT_TEXT = "The assessment fee associated with the Otago Polytechnic recognition of learning"
PRACTICAL_EXPERIENCE = """\
The micro-credential is for people already working in communities, who have some knowledge and experience in \
community-led development approaches. You will draw on a situation where you are using your skills to help \
facilitate a community-led process, hui, meeting or workshop.

You will demonstrate your experience of bringing people together, facilitating groups and coordinating local \
action, while critically reflecting on your process. The final submission requires you to provide evidence of your \
process and reflections."""
COST_BARRIER = """\
If cost is a barrier for you, consider including this activity within a grant application for professional \
development support, or talk with us about how we can help."""
#: The seed's two graduates, in their own words, as published on the provider's page; added in the order they
#: graduated, so the page (newest first) shows them as the seed does.
GRADUATES = [
    (
        "Gemma Slack",
        "2021 graduate",
        "Completing the micro-credential in community-led development was the best decision I have made as a "
        "facilitator for change. The experience gave me the language to communicate what had been felt working "
        "alongside the community for nearly a decade. It empowered me to become more effective in influencing "
        "others on the value of community-led development to transform communities from the inside out, not the "
        "outside in. The regular group calls were helpful to stay accountable and "
        "share wins worth celebrating and challenges faced to crowd-source perspectives and insights to stay "
        "motivated. I would highly recommend this course to anyone passionate about community change.",
    ),
    (
        "Leole Malama-Prasad",
        "2022 graduate",
        "I am grateful for the opportunity to complete the micro-credential in community-led development. I initially "
        "thought I would need to pull out due to changing roles and no longer working in communities, however I was "
        "able to still participate using my journey of passing over an external stakeholder relationship to someone "
        "else in my team. The structure of this course helped me to change the way I prepared for meetings, engaged "
        "with team members and ensured CLD stayed at the centre of our conversations. Being in a leadership role "
        "within a large government agency, the course also pushed me to think about CLD principles more in "
        "management and internal meetings that I wouldn't have considered before. CLD can live and breathe in "
        "everyday mahi! I would never have thought this possible and highly recommend others who may not be directly "
        "community-facing to still participate in this course.",
    ),
]
CONSENT = "Published with their agreement on Inspiring Communities' own programme page (demo record)"
REFLECTION_PROMPTS = b"""Critical reflection prompts (demo resource)

1. What did you set out to do, and with whom?
2. What happened, and how did people take part?
3. Which CLD principles guided your choices, and where did you struggle to hold to them?
4. What would you do differently next time, and why?
"""


def _sessions(admin: Any, programme: Programme) -> None:
    pages.add_information_session(
        programme,
        actor=admin,
        details=pages.InformationSessionDetails(
            title="Information session",
            hosts="our facilitators",
            day=datetime.date(2024, 2, 14),
            starts=datetime.time(12, 0),
            ends=datetime.time(13, 0),
            time_zone=AUCKLAND,
            recording_url="https://video.example.org/inspiring-communities/cld-information-session-2024",
        ),
    )
    # One ahead of the open intake, whatever day the demo is loaded, so signing up can be tried.
    day = timezone.localdate(timezone.now(), cohorts.zone(AUCKLAND)) + datetime.timedelta(days=10)
    pages.add_information_session(
        programme,
        actor=admin,
        details=pages.InformationSessionDetails(
            title="Information session",
            hosts="our facilitators",
            day=day,
            starts=datetime.time(12, 0),
            ends=datetime.time(13, 0),
            time_zone=AUCKLAND,
            meeting_url="https://meet.example.org/inspiring-communities-information-session",
        ),
    )


def _resources(facilitator: Any, programme: Programme) -> None:
    pages.add_resource(
        programme,
        actor=facilitator,
        kind=ResourceKind.READING,
        title="Community-led development principles (demo reading)",
        description="The five principles the workshops keep coming back to.",
        link="https://resources.example.org/inspiring-communities/cld-principles",
    )
    first_workshop = programme.cohorts.get(slug="2024").sessions.get(number=1)
    pages.add_resource(
        programme,
        actor=facilitator,
        kind=ResourceKind.TOOL,
        title="Critical reflection prompts",
        description="From workshop 1: questions to structure your reflections on your case study.",
        upload=SimpleUploadedFile("critical-reflection-prompts.txt", REFLECTION_PROMPTS, "text/plain"),
        workshop=first_workshop,
    )


def load_programme_pages(people: dict[str, Any]) -> None:
    """Skipped when the programme's page is already written (the demo loads once)."""
    programme = Programme.objects.select_related("provider").get(
        provider__slug="inspiring-communities", slug="cld-facilitation"
    )
    if ProgrammePage.objects.filter(programme=programme).exists():
        return
    admin, facilitator = people["admin@inspiring.example"], people["facilitator@inspiring.example"]
    pages.update_page(
        programme,
        actor=admin,
        support_text=SUPPORT_TEXT,
        practical_experience=PRACTICAL_EXPERIENCE,
        cost_barrier=COST_BARRIER,
    )
    for name, detail, text in GRADUATES:
        pages.add_testimonial(
            programme, actor=admin, text=text, graduate_name=name, graduate_detail=detail, consent_how=CONSENT
        )
    # Words sent in but not yet agreed to be published: kept, never shown, until consent is recorded.
    pages.add_testimonial(
        programme,
        actor=admin,
        text="The check-ins kept me going when work got busy.",
        graduate_name="Hemi Tāwhiri",
        graduate_detail="2024 graduate",
    )
    _sessions(admin, programme)
    _resources(facilitator, programme)
