"""The redaction measurement set: identifiers as people type them, names in health-and-care talk.

Identifiers in the formats people type, names in UK health-and-care sentences, and ordinary
words that look like names. Every identifier is fictional (Ofcom drama
numbers, example domains, made-up NHS numbers that pass the check digit); the names are common
names in invented sentences. Used by tests/ingest/test_redaction_measure.py and bench/redaction.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Each identifier sits in a sentence of its own; {} marks where.
EMAILS = [
    ("Drop me a line at {} and I'll send the leaflet.", "jane.smith@nhs.net"),
    ("Her address is {} if you want to invite her.", "zoë.brown@example.org"),
    ("write to {} please", "jo.bloggs+lab@example.co.uk"),
    ("Contact {} for the rota.", "o'connor.m@nhs.scot"),
    ("my email is {}", "sam_92@example.com"),
    ("Forms go to {} by Friday.", "KATH.JONES@NHS.NET"),
    ("Please copy in {} as well.", "józef.nowak@example.pl"),
    ("({}) is the group inbox.", "renée.dupont@example.fr"),
    ("Sent from {} on my phone", "first.last@sub.domain.example.ac.uk"),
    ("reach me on {} (no spam please)", "jo.bloggs [at] example [dot] org"),
    ("or {} works too", "j.bloggs(at)example.org"),
    ("Email <{}> for a place.", "dawn.h@hillfoot-carers.example"),
    ("mailto:{}", "peer.lead@example-trust.nhs.uk"),
    ("I'm on {} most days.", "sunita.r@example.com"),
    ("{} is the best way to get me", "callum.mcleod@example.scot"),
    ("Send the minutes to {}, thanks.", "admin-team@brackenford-mind.example.org.uk"),
    ("E: {} T: see below", "a.patel@example.nhs.uk"),
    ("Reply to {}.", "x_y.z-99@example.co"),
    ("His work address ({}) bounced.", "Tom.O'Neill@example.ie"),
    ("CC {} on anything about the budget", "commissioning@example-icb.nhs.uk"),
]
PHONES = [
    ("Ring me on {} after six.", "0044 20 7946 0960"),
    ("text {} any time", "447700900128"),
    ("My mobile is {}.", "07700.900.130"),
    ("Call {} and ask for the duty worker.", "+44-7700-900131"),
    ("text me on {}", "07700 900123"),
    ("Number: {}", "07700900124"),
    ("ring {} after six", "(0161) 496 0732"),
    ("Office line {}.", "0161-496-0733"),
    ("From abroad dial {}.", "+44 (0)20 7946 0019"),
    ("call {} for the crisis line", "+44 20 7946 0018"),
    ("The clinic is on {}.", "020 7946 0961"),
    ("Leeds office: {}", "0113 496 0000"),
    ("Try {} if that fails.", "01632 960 111"),
    ("Freephone {} (24 hours).", "0808 157 0192"),
    ("Bookings {}", "0300 123 4567"),
    ("WhatsApp {} to join.", "+447700900125"),
    ("My number's {} if anyone wants a chat", "07700 900 126"),
    ("Call {} or message.", "07700-900-127"),
    ("tel: {}", "0121 496 0555"),
    ("Mobile {} (evenings)", "+44 (0) 7700 900132"),
    ("Dial {} from Spain.", "0044 7700 900133"),
    ("ring {} — it's my landline", "0117 496 0123"),
    ("Contact the group on {}.", "07 700 900 134"),
    ("Reception: {}.", "01632960222"),
    ("Out of hours: {}", "+44 7700 900135"),
    ("My brother's number is {}.", "07700 900136"),
]
NHS_NUMBERS = [
    ("My NHS number is {}.", "876.232.8603"),
    ("NHS no {}", "1290 404 798"),
    ("my nhs number is {}", "943 476 5919"),
    ("NHS number: {}", "9434765919"),
    ("Patient {} was seen on Tuesday.", "943-476-5919"),
    ("ref {}", "463 218 9073"),
    ("NHS {}", "308 023 0027"),
    ("number {} on the letter", "5315754642"),
    ("My number is {} I think.", "533 553 4869"),
    ("NHS No. {}", "397.671.7959"),
    ("{} is my mum's NHS number", "795 761 7034"),
    ("NHS number {} (from the app)", "2829048725"),
    ("ID {}", "11 60 17 84 61"),
    ("hospital number {}", "832 885 1342"),
    ("{}", "425-675-7147"),
    ("She gave {} at the desk.", "7217 660 416"),
    ("NHS: {}.", "410 704 2790"),
    ("Number {}", "770 807 1976"),
    ("NHS number {}", "9575095359"),
    ("{} (NHS)", "028 196 5250"),
]
POSTCODES = [
    ("We meet near {} on Thursdays.", "LS1  4AP"),
    ("post it to {}", "ec1a-1bb"),
    ("The office is at {}.", "SW1A 1AA"),
    ("send to {} please", "sw1a1aa"),
    ("we meet at the library, {}, on thursdays", "BD5 9ZX"),
    ("I live in {} so it's two buses.", "M1 1AE"),
    ("{} is the hall's postcode", "B33 8TH"),
    ("Address: 4 Mill Lane, {}", "CR2 6XH"),
    ("Return to {}.", "DN55 1PT"),
    ("The studio is {}.", "W1A 0AX"),
    ("Edinburgh group: {}", "EH1 1YZ"),
    ("Cardiff venue, {}.", "CF10 1EP"),
    ("Belfast, {}", "BT7 3GG"),
    ("Glasgow {}", "G2 8DL"),
    ("Liverpool ({})", "L1 8JQ"),
    ("postcode {}", "ne1 4st"),
    ("It's {} on the map.", "Ls1 4aP"),
    ("Deliver to {} by noon.", "EC1A 1BB"),
    ("Use {} for the satnav.", "GIR 0AA"),
    ("{} - ask at reception", "S1 2HE"),
]
SECRET_URLS = [
    ("Reset it at {} before Friday.", "portal.nhs.uk/reset?token=8f3a9c2e71b4"),
    ("Log in here {}", "https://example.org/login?session=abc123"),
    ("sign up at {} today", "https://www.example-peer-network.org.uk/events?ref=lab2026&uid=4471"),
    ("The shared folder: {}", "http://user:hunter2@files.example.com/"),
    ("Doc is {}", "https://docs.example.com/d/1AbC2dEf3GhI4jKl5MnO6pQr/edit"),
    ("Link: {}", "https://app.example.org/#access_token=xyz123abc"),
    ("go to {} to book", "example.org?token=abc"),
    ("{}", "HTTPS://EXAMPLE.ORG/RESET?TOKEN=ABC"),
    ("Join the call {}", "https://zoom.us/j/98765432101?pwd=AbCdEf123"),
    ("Survey link {} (personal, don't share)", "https://forms.example.com/s/Xy12Ab34Cd56Ef78"),
    ("My results: {}", "www.example.com/results?patient=9434765919"),
    ("unsubscribe: {}", "https://mail.example.org/unsub?e=jo%40example.org"),
    ("Video: {}", "https://meet.example.com/abc-defg-hij?authuser=2"),
    ("Password reset: {}", "https://accounts.example.com/reset/a1b2c3d4e5f6g7h8i9j0"),
    ("Your invite: {}", "example.org/invite?code=ZX81"),
]
# Plain links are references, not secrets: they stay.
KEPT_URLS = [
    ("See {} for more.", "https://www.example.org/about"),
    ("Information at {}.", "https://www.nhs.uk/conditions/"),
    ("Mind's site, {}, has a directory.", "www.mind.org.uk"),
]

# Person names in realistic sentences: (sentence, names in it).
NAMES = [
    ("Thought I'd get the ball rolling! I'm Sue and I've used services for years.", ["Sue"]),
    ("Thanks Donna! That really helps.", ["Donna"]),
    ("It was a woman called Pat at a drop-in who just said me too.", ["Pat"]),
    ("The nurse, Kath, sat with me all night.", ["Kath"]),
    ("liz · zoe · kath", ["liz", "zoe", "kath"]),
    ("My daughter Grace came with me to the appointment.", ["Grace"]),
    ("Everyone at the centre was kind, especially Siobhan and Niamh.", ["Siobhan", "Niamh"]),
    ("Staff nurse Bola Adeyemi explained the medication properly.", ["Bola Adeyemi"]),
    ("I saw Dr Patel twice and both times she listened.", ["Patel"]),
    ("Sister O'Brien ran the ward like clockwork.", ["O'Brien"]),
    ("Dr. Nkechi Okafor referred me to the peer group.", ["Nkechi Okafor"]),
    ("Wojciech on the night shift made me a cup of tea at 3am.", ["Wojciech"]),
    ("Priya and Yusuf run the Tuesday group between them.", ["Priya", "Yusuf"]),
    ("Gemma on reception remembered my name every week.", ["Gemma"]),
    ("Darren explained everything before the operation.", ["Darren"]),
    ("Tracey went out of her way to find me a bed.", ["Tracey"]),
    ("Mrs Khan, the ward manager, sorted the complaint in a day.", ["Khan"]),
    ("I'd like to thank Mr Davies and his team.", ["Davies"]),
    ("My son Will drove me to every appointment.", ["Will"]),
    ("Hiya Aisling, lovely to see you at the workshop.", ["Aisling"]),
    ("Sandeep from the recovery college ran the session.", ["Sandeep"]),
    ("Harriet P said the same thing last month.", ["Harriet"]),
    ("My mum Maureen has dementia and the carers are wonderful.", ["Maureen"]),
    ("Our keyworker Callum helped with the housing forms.", ["Callum"]),
    ("Rhys and Eilidh from the Cardiff group came along.", ["Rhys", "Eilidh"]),
    ("The physio, Fatima, got me walking again.", ["Fatima"]),
    ("Margaret Thompson has been my carer for six years.", ["Margaret Thompson"]),
    ("Ask for Olumide at the front desk.", ["Olumide"]),
    ("Ravi, the pharmacist, explained my tablets.", ["Ravi"]),
    ("Thank you Bernadette for the lift home.", ["Bernadette"]),
    ("My husband Joseph Nowak was on ward 7.", ["Joseph Nowak"]),
    ("Hello everyone, Tam here, from Nottingham.", ["Tam"]),
    ("Cheers Kev, see you Thursday.", ["Kev"]),
    ("Nurses liz and zoe were amazing, kath on nights too.", ["liz", "zoe", "kath"]),
    ("Amira the midwife stayed after her shift ended.", ["Amira"]),
    ("Dawn from the carers centre rang me back the same day.", ["Dawn"]),
    ("I'm Aleksandra and I volunteer on the helpline.", ["Aleksandra"]),
    ("Chidi has been coming to the group since January.", ["Chidi"]),
    ("Dr Okonkwo was the first doctor who believed me.", ["Okonkwo"]),
    ("Sunita rang to check I'd got home safely.", ["Sunita"]),
    ("Our GP, Dr Hughes, referred us straight away.", ["Hughes"]),
    ("Jean, my neighbour, comes to the group with me.", ["Jean"]),
    ("Ellie and Jack from the youth service ran the stall.", ["Ellie", "Jack"]),
    ("Thanks to Abdul and Mohammed for the food.", ["Abdul", "Mohammed"]),
    ("Nurse Rose was on duty that night.", ["Rose"]),
    ("Lorna from the council came to listen.", ["Lorna"]),
    ("I spoke to Sean Murphy at the ICB about funding.", ["Sean Murphy"]),
    ("Oh Sam. Sending so much love.", ["Sam"]),
    ("Deb we've started something a bit like this in Sheffield.", ["Deb"]),
    ("Good point. Tom I think you're right about the rota.", ["Tom"]),
    ("Pay people properly when it's a job, when you're doing what Fi and Jen do.", ["Fi", "Jen"]),
]
# Ordinary words that look like names, conditions named after people, places and organisations.
DECOYS = [
    "I hope the staff will show more grace next time.",
    "Will the clinic reopen after the summer?",
    "Will you be at the next session?",
    "Hope you are all keeping well.",
    "Hope is what kept me going through the worst of it.",
    "The Parkinson's nurse was a lifeline for my dad.",
    "We were referred to the Alzheimer's Society by the memory clinic.",
    "My son has Down's syndrome and the school was brilliant.",
    "The group meets in Leeds and Bradford on alternate weeks.",
    "The Crohn's clinic moved to the new building.",
    "Mark my words, this service will be missed.",
    "It was a frank conversation and I needed it.",
    "Patience was needed on both sides.",
    "The joy of the group is that nobody judges you.",
    "We started at dawn to beat the traffic.",
    "May was a hard month for everyone.",
    "There is a grace period before the bill is due.",
    "Faith groups offered the hall for free.",
    "Mind and the Samaritans both had stalls.",
    "I was at St James's for three weeks.",
    "The Royal Victoria Infirmary has a peer support team.",
    "Felt threatened by him, and not understood.",
    "Rang the surgery before the visit.",
    "Physio could be better, but the nurses were great.",
    "Brilliant service, kind staff, would recommend.",
    "Nothing too much trouble for the reception staff.",
    "Covid made the waiting list longer.",
    "Amber warnings went out for the snow.",
    "The rose garden at the hospice is lovely.",
    "Sue the trust if they lose your records again, my friend said.",
    "Carers Trust and Age UK run the drop-in together.",
    "The Wyvern Fells are beautiful but the buses are terrible.",
    "Nobody else came to the group that week, so we went home.",
    "Ours in Stoke is called Football and a Brew.",
    "We meet every other Thursday at St Luke's community centre.",
    "Burnout. The people running groups are often struggling themselves.",
    "Burnout is real (long post, sorry)",
    "In Welsh please. Cymraeg is my first language.",
    "Apps have always been on time and the sessions quite useful.",
    "Kegel exercises are difficult to do on your own.",
    "Captures relational value that scales miss Peer workforce data: turnover, sickness.",
]


@dataclass
class Case:
    text: str
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    names: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # text that must survive


def cases() -> list[Case]:
    """Every measurement case, in a fixed order."""
    out: list[Case] = []
    for label, rows in (
        ("EMAIL", EMAILS),
        ("PHONE", PHONES),
        ("NHS_NUMBER", NHS_NUMBERS),
        ("POSTCODE", POSTCODES),
        ("URL", SECRET_URLS),
    ):
        out.extend(Case(t.format(v), identifiers=[(label, v)]) for t, v in rows)
    out.extend(Case(t.format(v), kept=[v]) for t, v in KEPT_URLS)
    out.extend(Case(text, names=list(names)) for text, names in NAMES)
    out.extend(Case(text) for text in DECOYS)
    return out


def leaked(value: str, label: str, redacted: str) -> bool:
    """Did any part of this identifier survive? Numbers leak if their last four digits remain."""
    if value.lower() in redacted.lower():
        return True
    if label in {"PHONE", "NHS_NUMBER"}:
        return re.sub(r"\D", "", value)[-4:] in re.sub(r"\D", "", redacted)
    if label == "EMAIL":
        return value.split("@")[0].split(" ")[0].lower() in redacted.lower()
    if label == "URL":
        return bool(re.search(r"[?#=]", redacted)) or "hunter2" in redacted
    return False


@dataclass
class Tally:
    expected: int = 0
    caught: int = 0  # identifiers: nothing left; names: every character covered
    spans: int = 0  # spans given this label
    right: int = 0  # of those, how many cover something of this label

    @property
    def recall(self) -> float:
        return self.caught / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.spans if self.spans else 1.0


def _where(text: str, value: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(value), text)]


def score(all_cases: list[Case]) -> tuple[dict[str, Tally], list[str]]:
    """Recall and precision per label over the cases, and a line for every miss or false hit."""
    from ingest.redact import find_spans, redact_many

    tallies: dict[str, Tally] = {}
    problems: list[str] = []
    redacted = redact_many([c.text for c in all_cases])
    spans_per_case = find_spans([c.text for c in all_cases])
    for case, (out, _), spans in zip(all_cases, redacted, spans_per_case, strict=True):
        truth = [(label, where) for label, v in case.identifiers for where in _where(case.text, v)]
        truth += [("NAME", where) for name in case.names for where in _where(case.text, name)]
        for label, value in case.identifiers:
            tally = tallies.setdefault(label, Tally())
            tally.expected += 1
            if leaked(value, label, out):
                problems.append(f"leak {label}: {value!r} -> {out!r}")
            else:
                tally.caught += 1
        for name in case.names:
            tally = tallies.setdefault("NAME", Tally())
            tally.expected += 1
            covered = all(
                any(s <= a and b <= e for s, e, _ in spans) for a, b in _where(case.text, name)
            )
            tally.caught += covered
            if not covered:
                problems.append(f"missed name {name!r} -> {out!r}")
        for start, end, label in spans:
            tally = tallies.setdefault(label, Tally())
            tally.spans += 1
            hit = any(lab == label and start < b and a < end for lab, (a, b) in truth)
            tally.right += hit
            if not hit:
                problems.append(f"false {label}: {case.text[start:end]!r} in {case.text!r}")
        for kept in case.kept:
            if kept not in out:
                problems.append(f"removed {kept!r} -> {out!r}")
    return tallies, problems
