"""The sample article rewritten: one quote dropped (with its paragraph), Artyomovsk -> Bakhmut, Kiev -> Kyiv, one
paragraph of background added. ``presslens compare`` must report exactly these changes."""

from __future__ import annotations

DROPPED = ("“We can’t lose the steps because the war is a pie – pieces of victories. Small victories, small steps,” "
           "Zelensky added.\n\n")
ADDED = ("Bakhmut, a salt-mining town of some 70,000 people before the fighting, sits on a highway that leads west "
         "towards the largest cities still held by Ukrainian forces.")
ADDED_AFTER = "leading to significant casualties.\n\n"


def rewrite(text: str) -> str:
    assert DROPPED in text and ADDED_AFTER in text
    text = text.replace(DROPPED, "").replace(ADDED_AFTER, ADDED_AFTER + ADDED + "\n\n")
    return text.replace("Artyomovsk", "Bakhmut").replace("Kiev", "Kyiv")
