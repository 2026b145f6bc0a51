"""Closing words and thanks: what a customer says to end a conversation is nothing to answer.

A transcript that ended "Nee, dat was het." made the brief's next step "Beantwoord de klant: “Nee,
dat was het.”". The rule is small and general: a message is a closing when it asks nothing (no
question mark), says at least one closing or thanks phrase, and every other word is a courtesy
("nee", "hoor", "so much", "for your help"). "Bedankt, maar het pakket is er nog steeds niet" keeps
its content words and stays open; "Thanks. When will it come?" is a question.
"""

import re

# Dutch and English in one list: a conversation may switch, and no phrase means something else in the other.
PHRASES = (
    # Dutch: nothing more, thanks, goodbye
    "dat was het", "dat was alles", "dat is alles", "dat is het", "verder niets", "verder niks",
    "niets meer", "niks meer", "meer niet", "dank je wel", "dank u wel", "dank jullie wel", "dank je",
    "dank u", "bedankt", "hartelijk dank", "veel dank", "merci", "fijne dag", "fijne avond",
    "fijn weekend", "prettige dag", "tot ziens", "tot later", "doei", "dag",
    # English: nothing more, thanks, goodbye
    "that's all", "that is all", "that was all", "that's it", "that is it", "that was it",
    "nothing else", "nothing more", "no more questions", "thank you", "thanks", "thank u", "thx",
    "cheers", "many thanks", "much appreciated", "bye", "goodbye", "bye bye", "have a nice day",
    "have a good day", "have a great day", "have a nice weekend", "take care",
)  # fmt: skip


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


COURTESY = _words(
    # Dutch: yes/no, fine, intensifiers, "for the help", "and you too"
    "nee ja jawel oké oke ok okay prima top super mooi perfect fijn goed helemaal hoor hè he nou",
    "heel erg zeer echt hartelijk nogmaals weer ook wel en voor de het uw je jullie hulp moeite",
    "snelle vriendelijke u jij zo alvast",
    # English
    "no nope yes yeah yep ok okay alright fine great lovely perfect good super brilliant so much",
    "very really again also and for your the help quick kind you too a lot all that's it oh well",
)
_WORD = re.compile(r"[\w']+")
_PHRASES = sorted((tuple(p.split()) for p in PHRASES), key=len, reverse=True)  # longest first


def is_closing(text: str) -> bool:
    """Whether a customer's message only closes the conversation (thanks, that was all, goodbye)."""
    if "?" in text:
        return False
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    found, i, rest = False, 0, []
    while i < len(words):
        phrase = next((p for p in _PHRASES if tuple(words[i : i + len(p)]) == p), None)
        if phrase is None:
            rest.append(words[i])
            i += 1
        else:
            found, i = True, i + len(phrase)
    return found and all(word in COURTESY for word in rest)
