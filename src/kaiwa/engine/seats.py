"""A seat wished otherwise, in the words people use.

The airline demo's triage agent hands a change of seat to the seat booking agent and a question
about seats to the FAQ agent; both descriptions name seats, and the 0.5B model gave "they've
stuck me in like row thirty one... is there any way to get somewhere with a bit more room"
to the FAQ agent, or answered it. These rules tell a wish to sit elsewhere ("Window please.",
"can I move from twenty three b to fourteen c", 「窓側がよかったんですけど…」) from a question of
how seating works ("how early can I pick where I sit", 「座席指定はいつから」), what a change
costs, a seat kept, a flight moved, a meal wished for at one's seat, and places to sit off the
plane ("a window seat on the train"). `kaiwa.engine.topics.change_asked` reads them only where
a handoff changes seats.
"""

from __future__ import annotations

import re

from .text import is_japanese
from .written import written_form

__all__ = ["change_wished", "own_seat_wished", "place_wished", "seating_said"]

_CHANGES_SAID = re.compile(
    r"(?i)\b(?:change|mov(?:e|ed|ing)|switch|swap|upgrade|put\s+(?:me|us)|seat\s+(?:me|us)|"
    r"be\s+(?:moved|put|seated|switched)|sit\s+(?:in|by|at|near)\s+(?:the\s+|an?\s+)?"
    r"(?:emergency\s+)?(?:exit|window|aisle|front|back|bulkhead)|"
    r"(?:i'?d|i\s+would)\s+(?:rather|prefer)\s+(?:have|sit|be\s+in|a|an|the|to\s+(?:sit|have|"
    r"move|switch|change))|rather\s+(?:have|sit)|reassign|relocate|get\s+me\s+out|"
    r"(?<!book\s)(?<!buy\s)(?:an)?other\s+seat(?!\s*(?:belt|blanket|cushion|pocket|cover|screen|"
    r"extender|for\b))|(?:some|any)where\s+else|"
    r"(?:i'?d|i\s+would)\s+(?:love|like)\s+to\s+(?:be|sit)\s+(?:by|in|at|near|next|closer|"
    r"further|up|nearer))\b"
    r"|(?<!着)替え|変え|変更|代え|取り替|移り|移れ|移ら|移して|移動|(?<![着持])かえ[てらられ]"
    r"|そっちにして|なんとかな(?:らない|らへん|りません|る)|座りたい(?!場合|とき|時|なら|人|方は)|座らせて"
    r"|(?:席|側|列|窓際|[0-9]{1,2}[A-Ka-k])にして(?:もらえ|ください|ほしい|くれ|いただけ)"
)
"""A change: "I'd rather have an aisle seat", "move me from 23B to 14C", "I'd like to be moved
to 14C", "could you put me by the window?", "is possible for me to sit in emergency exit
row?", 窓側に替えて, 席を移りたい (not "I'd prefer to know the seat pitch", 着替え)."""
_ASKED_FOR = re.compile(
    r"(?i)\b(?:(?:can|could|would|may)\s+(?:i|you|we|u)|i'?d\s+be\s+(?:most\s+|very\s+)?grateful|"
    r"get\s+me|any\s+\w+\s+seats?\s+(?:left|free|available)|(?:if|whether)\s+(?:i|we)\s+"
    r"(?:could|can|might)|is\s+there\s+any(?:where|thing)|"
    r"(?:i|we)'?d\s+(?:like|love|rather|prefer)|"
    r"i\s+(?:would|want|need|wanna)|please|let\s+me|any\s+chance\s+(?:you|i|we)\s+(?:could|can)|"
    r"is\s+(?:it\s+)?possible)\b"
    r"|^\s*(?:change|move|switch|swap|put)\b"
    r"|たい|てほしい|てもらえ|ていただけ|てくれ|お願い|ください|できますか|できる[？?]|可能ですか"
    r"|れたりする|れますか|れる[？?]|れます[？?]|れない[？?]|れませんか|れへん|せえへん|(?<![な])(?:かえ|変え)て(?![いお])"
    r"|ならへん|なりませんか|ならない[？?]"
)
"""A change asked for, not asked about: "can I", "I'd like", "please", "any chance you could",
"is possible for me", "move me...", 「替えてもらえますか」, 「移れたりする？」; not "will my seat
change if my flight is delayed?"."""
_WISHED = re.compile(
    _ASKED_FOR.pattern + r"|(?i:\b(?:any\s+(?:way|chance)|sort\s+me\s+out|can\s+(?:my|we)|"
    r"is\s+it\s+possible)\b)|ませんか|(?:けど|んですが|のですが)(?=[。、\s…]|$)"
)
"""A wish for another place to sit asked for: the forms of `_ASKED_FOR`, or "any way to get
somewhere with more room", "can my husband and I sit together", 「空いてませんかね」,
「窓側の方がいいんですけど」. Only with a place wished for: "is there any chance my seat will
change" asks about a change."""
_PLACE_WISH = re.compile(
    r"(?i)\bany\s+(?:\w+\s+)?seats?\s+(?:left|free|available|open)\b"
    r"|\b(?:somewhere|something|anywhere|a\s+(?:seat|spot|place)|one)\s+(?:further\s+"
    r"(?:forward|back|up)|closer\s+to\s+the\s+(?:front|back|window|aisle|exit)|(?:up\s+)?"
    r"front|quieter|with\s+(?:a\s+(?:bit|little)\s+)?(?:more|extra)\s+(?:room|space|legroom))\b"
    r"|\bsit\s+(?:somewhere|anywhere)\s+else\b|\bsit\s+(?:together|next\s+to|beside|"
    r"(?:a\s+bit\s+)?(?:closer|nearer|further))\b"
    r"|どこか(?:別|他|ほか|離れ|空い|広い)|(?:別|他|ほか)の(?:席|ところ|場所)|"
    r"(?:窓側|通路側|窓際|前の方|後ろの方|前方|後方)(?:が|の方が|のほうが)(?:よかった|いい|ええ)|"
    r"隣(?:同士|に座)|一緒に座"
)
"""A wish for another place to sit: "something further forward", "somewhere with a bit more
room", "sit together", どこか離れたところ, 窓側がよかった (not "somewhere with more shops");
with a word of the plane's seating in the request (`_SEATING`)."""
_SEATING = re.compile(
    r"(?i)\b(?:seats?|seated|rows?|window|aisle|middle|legroom|knees|loo|toilets?|lavatory|"
    r"galley|exit\s+row|bulkhead)\b"
    r"|席|(?<!行)列(?!車)|窓(?!口)|通路|足元|トイレ"
)
"""Where a place to sit is wished for on a plane, by the seating's own words: "stuck right next
to the loo", 「今の席がトイレのすぐ前」; not "somewhere with more room to relax in the airport",
「どこか空いてるカフェ」, "can my dog sit next to me on the flight", 「明日の便、どこか別の日に
できませんか」."""
_OTHER_CHANGED = re.compile(
    r"(?i)\b(?:chang(?:e|ing)|switch|mov(?:e|ing)|swap)\s+(?:off\s+|on\s+)?(?:the\s+|my\s+|our\s+|"
    r"\w+'s\s+)?(?:\w+\s+)?(?:dates?|days?|times?|flights?|names?|meals?|tickets?|destinations?|"
    r"lights?|temperature|trolley|cart|crate|bags?|suitcase|luggage|baggage|pets?|dogs?|cats?|"
    r"reservation|hotel|car)\b(?!\s+seat)"
    r"|(?:日付|日にち|日程|便|名前|食事|機内食|メニュー|時間|時刻|列車|電車|窓口|ラウンジ)"
    r"(?:だけ|を|も|の|に)?(?:変え|変更|替え|移)"
)
"""A change of something else, the seat named only by the way ("I want to change the date of
my return flight, the seat I had is fine though", 「日付だけ変えたいです。座席は今のままで」)."""
_TO_A_SEAT = re.compile(
    r"(?i)\bto\s+(?:an?\s+|the\s+)?(?:window|aisle|exit[-\s]row|middle|bulkhead)\b"
    r"|\bto\s+(?:row\s+)?\d{1,2}[a-k]?\b|(?:窓側|通路側|窓際|非常口)の?席に"
)
"""The change is to a seat after all: "Can you change my reservation to an aisle seat?"."""
_POLICY_ASKED = re.compile(
    r"(?i)\bif\s+(?:i|we)\s+(?:check|book|buy|pay|fly|travel|am|are)\b|\bif\s+(?:i'm|we're)\b"
    r"|\bafter\s+check-?in\b|\bwith\s+(?:my|a|our)\s+(?:baby|infant|toddler|kids?|child|"
    r"children|dog|cat|pet)\b|\bfor\s+(?:kids|children|a\s+child|minors|infants|babies)\b"
    r"|\b(?:kids|children|minors|infants)\s+(?:to\s+)?(?:sit|be\s+seated)\b|\bwill\s+(?:i|we)\s+be\b"
    r"|\btell\s+me\s+(?:whether|if)\b|\bwhat\s+happens\s+if\b|\bhate\s+to\s+be\b"
    r"|(?:子供|子ども|赤ちゃん|乳幼児|幼児)(?:は|が|でも)"
)
"""A question of the rules about sitting, no wish to move: "is it possible for kids to sit in
the exit row", "Can I sit by the window with my baby?", "Is it possible to change seats
after check-in?", "Will I be put in the middle seat if I check in late?" (a review's): the
FAQ's."""
_MINE_CHANGED = re.compile(
    r"(?i)\b(?:move|put|switch|seat|swap)\s+(?:me|us)\b|\bchange\s+(?:my|our)\s+seats?\b"
    r"|\b(?:i|we)(?:\s+(?:want|need|would\s+like)|'d\s+like)\s+to\s+(?:change|move|switch|sit)\b"
    r"|\bcan\s+(?:we|i)\s+(?:sit|be\s+seated)\s+together\b"
    r"|変えて|替えて|かえて|移りたい|移動したい|にしてもらえ|にしてください|変えたい|替えたい"
)
"""A change asked for the speaker ("move me", "I'd like to change seats", 「席を替えてもらえます
か」): with it, a rule named by the way ("I'm travelling with my baby") asks no rule."""
_ABOUT_COST = re.compile(
    r"(?i)\b(?:fees?|costs?|prices?|charges?|pay|paid|how\s+much|(?:for|of)\s+free|"
    r"free\s+of\s+charge|(?:is|are)\s+(?:it|that|they|those)\s+free)\b"
    r"|料金|手数料|無料|有料|いくら|費用|お金"
)
"""A question about what a change costs ("how much does it cost to change my seat?",
座席変更の手数料はいくら？): the FAQ's."""
_SEAT_CODE = re.compile(
    r"(?<!gate )(?<!flight )(?<!terminal )(?<!ターミナル)(?<!ゲート)(?<!第)(?<![0-9A-Za-z])"
    r"\d{1,2}[A-Ka-k](?![0-9A-Za-z])(?!\s*(?:階|の?ラウンジ|フロア|floor|lounge))"
)
"""A seat as `written_form` writes it (23B, 14C, 「14Cに移りたい」): not a gate, a flight or a
terminal."""

_SEAT_WORDS = re.compile(
    r"(?i)\b(?:seats?(?!\s*(?:belts?|blankets?|cushions?|pockets?|covers?|screens?|extenders?|"
    r"pitch|maps?)\b)|rows?|window|aisle|middle\s+seat|exit\s+row|bulkhead|legroom)\b"
    r"|(?<!出)(?<!客)(?<!座)席|窓側|通路側|窓際|非常口|足元|座席"
)
"""A seat in its own words: "a window", "row 31", 「通路側」 (not a seat belt or blanket)."""
_SEAT_PLACES = re.compile(
    r"(?i)\b(?:loo|toilets?|bathroom|lavatory|galley|engine|wing|door|front"
    r"|back\s+(?:of\s+the\s+(?:plane|aircraft|cabin)|rows?)|(?:in|at)\s+the\s+(?:very\s+)?back"
    r"|(?:in|stuck\s+in)\s+the\s+middle"
    r"|(?:sit|sitting|seated)\s+together|behind\s+(?:me|us)|next\s+to\s+(?:me|us)|side\s+of\s+the\s+(?:plane|aircraft|cabin))\b"
    r"|トイレ|翼|隣|並び|前の?(?:方|ほう)|後ろ|一番後|真ん前|真ん中(?!の日|の便)|[0-9０-９一二三四五六七八九十]+列"
)
"""Where one sits, told by what is near: "right over the engine", "the back of the plane",
「トイレの真ん前」, 「3列も離されてる」. With a move asked for only (`_MOVES`): "the front desk"
and 「隣の人がうるさい」 are no place to sit."""
_MOVES = re.compile(
    r"(?i)\b(?:move|moved|moving|switch|swap|change|elsewhere|a\s+move|sit(?:ting)?\s+together"
    r"|seated\s+together|(?:some|any)where\s+(?:else|quieter|further)"
    r"|(?<!book\s)(?<!buy\s)(?<!purchase\s)(?:an)?other\s+(?:seat|one"
    r"|spot|place|side)|different\s+(?:seat|one|spot|place)|further\s+(?:forward|back|up)"
    r"|closer\s+to|nearer\s+to|away\s+from|put\s+(?:me|us)(?!\s+through)|seat\s+(?:me|us)"
    r"|is\s+there\s+any(?:thing|where)|instead\s+of|(?:be|sit)\s+(?:near|nearer|by|at|in)\s+the\s+(?:front|back"
    r"|window|aisle|door|exit))\b"
    r"|移[りれらしっ動]|(?<!着)替え|変え|変更(?!され)|別の|ほかの|他の|どこか|空いて|戻して|どうにか"
    r"|なんとか|座りたい(?!場合|とき|時|なら|人|方は)"
)
"""A move asked for: "can I go somewhere else", "could you put me closer to the door", "any
chance of a move", "I'll take it instead of 22C", 「前のほう空いてないですか」."""
_PREFERS = re.compile(
    r"(?i)\b(?:instead|rather|prefer|please|grateful|(?:can|could|may)\s+(?:i|we)\s+(?:get|have"
    r"|sit|be|take)|(?:i|we)'?d\s+(?:like|love)|(?:is|it'?s)\s+possible|if\s+you\s+can\s+manage"
    r"|(?:would|it'?d)\s+be\s+better|needs?\s+sorting|fix\s+(?:that|it|this)|change\s+it)\b"
    r"|がいい|が良い|がええ|ほうがいい|方がいい|そっち|にして(?:もらえ|ください|ほしい|くれ|いただけ)"
    r"|にでき|ほしい|欲しい|[でに]お願い"
)
"""A seat of another kind wished for: "Window please.", "Could I get an exit row instead?",
"I'd be grateful for an aisle", 「やっぱ通路側がいいです」, 「並びの席にできますか」: with a kind
of seat only (`_SEAT_KINDS`), in the same clause."""
_ELSEWHERE = re.compile(
    r"(?i)\b(?:lounge|gate|airport|terminal|caf[eé]|restaurant|bar|hotel|train|bus|taxi|"
    r"shuttle|concert|theat(?:re|er)|cinema|stadium|show|table|room|queue|line|blinds?|"
    r"cushions?|curtains?)s?\b|ラウンジ|空港|ゲート|カフェ|ホテル|レストラン|電車|列車|バス|新幹線|映画館"
    r"|劇場|コンサート|テーブル|部屋|カーテン"
)
"""Places to sit that are not on the plane, and things called by a seat's words: "could we
sit together in the lounge", "a window seat on the train", "a table by the window", "the
window blinds"."""
_KEEPS = re.compile(r"(?i)\b(?:keep|stay|remain)\b|のまま|今の(?:席|窓側|通路側|窓際)")
"""A seat kept: "No, I'd like to keep my window seat.", 「通路側のままでお願いします」."""
_TRIP_WORDS = re.compile(
    r"(?i)\b(?:flights?|return|trip|outbound|inbound|departure|date|day|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|tomorrow|earlier|later|morning|evening|booking)\b"
    r"|日|便|帰り|行き|出発"
)
"""A journey's words: with no seat's own words, "can I move my return back a day?" changes
a flight, not a seat."""
_OTHER_WANTED = re.compile(
    r"(?i)\b(?:meals?|blankets?|pillows?|drinks?|water|food|snacks?|headphones)\b"
    r"|毛布|枕|飲み物|食事|機内食|お水|イヤホン"
)
"""Things wished for at a seat: "Hi, it's 23B, could I get a vegetarian meal please?"."""
_MINE_EN = re.compile(r"(?i)\b(?:i|i'm|im|i've|ive|i'd|me|my|we|we're|us|our)\b")
_SEAT_RULES = re.compile(
    r"(?i)\bhow\s+(?:many|early|far|does|do\s+(?:i|you|they))\b|\bwhat\s+(?:is|are|do|does)\b|"
    r"\bwhat'?s\b|\bdo\s+you\s+(?:have|offer|allow)\b|\bwhen\s+(?:can|do|does)\b|"
    r"\b(?:choose|select|pick|reserve)\b|\ballowed\b|\brules?\b|\bpolic(?:y|ies)\b|"
    r"\bin\s+general\b|\busually\b|\bto\s+(?:know|find\s+out|ask|understand|learn)\b|"
    r"\btell\s+me\b|\blet\s+me\s+know\b|\bwill\s+(?!you\b|u\b)|\bwhy\b"
    r"|\b(?:once|after|during|before|when)\s+(?:i'?m|we'?re|the|take-?off|takeoff|landing"
    r"|boarding)\b|\banywhere\s+(?:i|we)\s+(?:like|want)\b"
    r"|知りたい|教えて|ことは(?:あり|ない)|ことってあ|選べ|選ぶ|選択|指定|いつから|何席|ルール|規定"
    r"|決まり|ものなん|ものです|一般的|普通は|(?:ても|て)(?:いい|良い|大丈夫|構わ|平気)|いつまで"
    r"|何時まで|すればいい|すれば良い"
)
"""A question of how seating works ("how early can I pick where I sit", "what's the legroom
like", "can I move to an empty seat after the doors close?", 「座席指定はいつから」,
「空いてる席に移ってもいいですか」), a wish to know ("I'd prefer to know the seat pitch"),
what will happen ("is there any chance my seat will change"): the FAQ's, not a wish."""


_SEAT_KINDS = re.compile(
    r"(?i)\b(?:window|aisle|middle\s+seat|exit\s+row|bulkhead|legroom|front\s+row)\b"
    r"|窓側|通路側|窓際|非常口|足元|並び|隣同士"
)
"""A kind of seat, which may be wished for without a move said: "Window please."."""
_NOT_A_SEAT = re.compile(r"(?i)^[2-5]g$|^3d$")
"""Codes that are no seat: 5G, 3D."""


def _seat_code(text: str) -> bool:
    """Whether ``text`` names a seat's code (`_SEAT_CODE`, written; not 5G or 3D)."""
    return any(not _NOT_A_SEAT.match(m.group()) for m in _SEAT_CODE.finditer(written_form(text)))


def _seat_wished_in(text: str, wish: str | None = None) -> bool:
    """Whether ``text`` names a seat (its words or its code) and a move wished for
    (`_MOVES`), or a kind of seat and a preference (`_PREFERS`: "Could I get an exit row
    instead?", "Window please."), or a place one sits by and a move; with ``wish`` (the
    clause after ``text``) a move said there. A seat named with a preference alone is no
    wish: "can I get a blanket for my seat please", 「23Bの者ですが、毛布がほしいです」."""
    if wish is not None:
        seat = _SEAT_WORDS.search(text) or _seat_code(text) or _SEAT_PLACES.search(text)
        return bool(seat and _MOVES.search(wish))
    if _SEAT_KINDS.search(text) and _PREFERS.search(text):
        return True
    if _SEAT_WORDS.search(text) or _seat_code(text):
        return bool(_MOVES.search(text))
    return bool(_SEAT_PLACES.search(text) and _MOVES.search(text))


def own_seat_wished(said: str) -> bool:
    """Whether ``said`` wishes the speaker's own place to sit otherwise (`_seat_wished_in`;
    in Japanese within a clause, or a move in the clause after one that says where one sits:
    not 「食事にしてもらえますか、席は23Bです」; in English by the speaker, I, my, we, or a kind
    of seat alone, "Window please."), with no place off the plane named (`_ELSEWHERE`), no
    seat kept (`_KEEPS`), no flight moved without a seat's words (`_TRIP_WORDS`), no meal or
    blanket wished for (`_OTHER_WANTED`), no other thing changed (`_OTHER_CHANGED`), no
    question of how seating works (`_SEAT_RULES`) or what it costs."""
    if _ELSEWHERE.search(said) or _KEEPS.search(said):
        return False
    seat = _SEAT_WORDS.search(said) or _seat_code(said)
    if not seat and not _SEAT_PLACES.search(said) and _TRIP_WORDS.search(said):
        return False  # "can I move my return back a day?": a flight
    if _OTHER_WANTED.search(said) and not _MOVES.search(said):
        return False  # a meal, a blanket wished for at one's seat
    if is_japanese(said):
        clauses = re.split(r"[、。,.!?！？…]+", said)
        if not any(
            _seat_wished_in(c) or (i > 0 and _seat_wished_in(clauses[i - 1], c))
            for i, c in enumerate(clauses)
        ):
            return False
    elif not _seat_wished_in(said):
        return False
    elif not _MINE_EN.search(said) and not (_SEAT_KINDS.search(said) and len(said.split()) <= 4):
        return False  # the speaker's own, or a kind of seat alone: "Window please."
    if _OTHER_CHANGED.search(said) and not _TO_A_SEAT.search(said):
        return False  # the date changed, the seat named by the way
    return not (_SEAT_RULES.search(said) or _ABOUT_COST.search(said))


def place_wished(said: str) -> bool:
    """Whether ``said`` wishes for another place to sit on the plane (`_PLACE_WISH`, with a
    word of the plane's seating, `_SEATING`): "is there any way to get somewhere with a bit
    more room", 「どこか離れたところ空いてませんかね」."""
    return bool(_PLACE_WISH.search(said) and _SEATING.search(said))


def seating_said(said: str) -> bool:
    """Whether ``said`` names the plane's seating (`_SEATING`: "put me by the window") or a
    seat's code as a recogniser writes it ("twenty three b", written 23B)."""
    return bool(_SEATING.search(said) or _SEAT_CODE.search(written_form(said)))


def change_wished(said: str, *, place: bool, own: bool) -> bool:
    """Whether ``said`` asks for a change (of a seat, or of what a handoff that changes things
    speaks of): one's own seat wished otherwise (``own``, `own_seat_wished`), a place to sit
    wished for (``place``, `place_wished`) in the words of a wish (`_WISHED`), or a change
    said (`_CHANGES_SAID`) and asked for (`_ASKED_FOR`), not of another thing than the seat
    (`_OTHER_CHANGED`); not what it costs (`_ABOUT_COST`), nor a question of the rules
    (`_POLICY_ASKED`) unless the speaker's own change is asked (`_MINE_CHANGED`)."""
    if not own:
        if place:
            if not _WISHED.search(said) or _ABOUT_COST.search(said):
                return False
        elif not _CHANGES_SAID.search(said) or not _ASKED_FOR.search(said):
            return False
        elif _ABOUT_COST.search(said):
            return False
        elif _OTHER_CHANGED.search(said) and not _TO_A_SEAT.search(said):
            return False
    return not (_POLICY_ASKED.search(said) and not _MINE_CHANGED.search(said))
