"""The learner's forms: they check the shape of what was sent and say what to fix; the services hold the rules."""

from __future__ import annotations

import html
import re
from typing import Any

from django import forms

from credo.portfolios.services.common import TITLE_MAX
from credo.portfolios.services.mapping import GapMatrix

_BLANK_LINES = re.compile(r"\n\s*\n")
_NUL = "\x00"


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL; a browser never sends one, so this is a broken or hostile client.
    return value.replace(_NUL, "")


def paragraphs_of(text: str) -> str:
    """Plain text (typed without the editor, when JavaScript is off) as HTML paragraphs; HTML is left as it is.

    The editor sends HTML; someone typing into the bare text box types words, so blank lines become paragraphs
    rather than running together. Either way the service sanitises what it stores.
    """
    if "<" in text:
        return text
    blocks = [block.strip() for block in _BLANK_LINES.split(text.replace("\r\n", "\n")) if block.strip()]
    return "".join("<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>" for block in blocks)


class EditorTextarea(forms.Textarea):
    """The text box editor.js turns into an editor with a toolbar; without JavaScript it stays a text box."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 16, "data-rich-editor": "", **(attrs or {})})


class TextForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=TITLE_MAX, help_text="A few words that say what this is, such as “My case study”."
    )
    html = forms.CharField(
        label="Your writing",
        required=False,
        widget=EditorTextarea(),
        help_text="You can start now and come back: your writing is kept, and every saved version too.",
    )

    def clean_title(self) -> str:
        return _no_nul(self.cleaned_data["title"])

    def clean_html(self) -> str:
        return paragraphs_of(_no_nul(self.cleaned_data["html"]))


class SaveTextForm(forms.Form):
    html = forms.CharField(label="Your writing", required=False, widget=EditorTextarea())
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_html(self) -> str:
        return paragraphs_of(_no_nul(self.cleaned_data["html"]))


class LinkForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=TITLE_MAX, help_text="What the link is, such as “Our newsletter”."
    )
    # A CharField, not a URLField: the service words every problem with an address, the same for the page and the API.
    url = forms.CharField(
        label="Web address",
        max_length=2000,
        help_text="Starting with https://",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )

    def clean_title(self) -> str:
        return _no_nul(self.cleaned_data["title"])

    def clean_url(self) -> str:
        return _no_nul(self.cleaned_data["url"])


class FileForm(forms.Form):
    file = forms.FileField(
        label="File",
        allow_empty_file=True,  # the service says an empty file is empty, in its own words
        error_messages={"required": "Choose a file to upload.", "invalid": "Choose a file to upload."},
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=TITLE_MAX,
        required=False,
        help_text="What the file is; if you leave this empty, the file's name is used.",
    )

    def __init__(self, *args: Any, allowed: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed:
            self.fields["file"].help_text = f"You can upload: {allowed}."

    def clean_title(self) -> str:
        return _no_nul(self.cleaned_data["title"])


class SharingForm(forms.Form):
    share = forms.ChoiceField(choices=[("yes", "Share"), ("no", "Do not share")])

    def wanted(self) -> bool:
        return bool(self.cleaned_data["share"] == "yes")


class RemoveForm(forms.Form):
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def is_confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirmed"] == "yes"


class MappingForm(forms.Form):
    """The criteria (or competencies) an item is evidence for: every box ticked is the whole mapping."""

    def __init__(self, *args: Any, matrix: GapMatrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(row.key), f"{row.code}: {row.text}") for row in matrix.rows]
        self.kind = matrix.kind
        self.fields[matrix.kind] = forms.TypedMultipleChoiceField(
            label="Assessment criteria this is evidence for"
            if matrix.kind == "criteria"
            else "Competencies this is evidence for",
            choices=choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Tick each one this evidence shows; untick one to take it off.",
            error_messages={"invalid_choice": "Choose from the list: reload the page if it has changed."},
        )

    def chosen(self) -> list[int]:
        return list(self.cleaned_data.get(self.kind, []))
