"""The words of a search, in each language the site is written in (articles.search).

For each language a `Vocabulary`: the words too common to look for, the words
that say nothing about which article would help, what a reader means by a
word the practice may have written with another (synonyms), and how a reader
says that they are the partner who was asked. The English site reads ENGLISH,
the Spanish site (/es/) SPANISH.

Words are compared without accents and in lower case ("consejeria" is
"consejería"), as both databases compare the articles' words.
"""

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property


def plain(word: str) -> str:
    """The word in lower case without accents, as the vocabularies compare words."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Cue:
    """Words in a row (each one of a set) that say the reader is the partner who
    was asked; with `then_coming`, only when followed (within two words) by
    one about coming, or by nothing: "I don't want to go", not "I don't want a
    divorce"."""

    words: tuple[frozenset[str], ...]
    then_coming: bool = False


def _cue(*slots: str, then_coming: bool = False) -> Cue:
    """A cue from its slots, each a space-separated list of the words that fit it."""
    return Cue(tuple(frozenset(map(plain, slot.split())) for slot in slots), then_coming)


@dataclass(frozen=True)
class Vocabulary:
    # Words that say nothing about what an article is about. Neither database
    # leaves out words of its own (PostgreSQL's configurations keep them all,
    # SQLite's FTS5 has no list), so without these "a" or "la" would match
    # every article.
    stop_words: frozenset[str]
    # Words readers put into a question that say nothing about which article
    # would help ("how do I *get* my wife to *go*"). They are left out like
    # the common words; an article is not a worse answer for not using them.
    vague_words: frozenset[str]
    # What a reader means by one word, the practice may have written with
    # another. Each word or phrase of a group finds articles with any of the
    # group's words; PostgreSQL adds the other forms of each word ("refuses",
    # "peleas"), SQLite only English ones, so Spanish groups list some forms.
    synonyms: dict[str, list[str]]
    # Phrases readers type that belong to a group above but would find the
    # wrong articles if searched as they are ("break up" finds "take a break"
    # once the stop word is dropped): recognised in a search, never looked for.
    read_as: dict[str, str]
    # How a reader says they are the partner who was asked (Query.speaks_as_asked).
    asked: tuple[Cue, ...]
    # Words about coming to therapy, for the cues that need one after them.
    coming: frozenset[str]
    # Words skipped when cues are read ("I am *really* not ready").
    fillers: frozenset[str]
    # The word that joins two terms into one, either of which will do.
    either: frozenset[str]
    # Contractions as they are typed on a phone, without the apostrophe.
    contractions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        # Everything is compared plain (no accents, lower case).
        for name in ("stop_words", "vague_words", "coming", "fillers", "either"):
            object.__setattr__(self, name, frozenset(map(plain, getattr(self, name))))

    @cached_property
    def ignored(self) -> frozenset[str]:
        """Words left out of what is looked for."""
        return self.stop_words | self.vague_words

    @cached_property
    def group_of(self) -> dict[str, str]:
        """The synonym group of each word or phrase (plain) that names one."""
        return {
            **{plain(word): group for group, words in self.synonyms.items() for word in words},
            **{plain(phrase): group for phrase, group in self.read_as.items()},
        }

    @cached_property
    def longest_key(self) -> int:
        """The most words a word or phrase of `group_of` has."""
        return max(len(key.split()) for key in self.group_of)

    def is_read_as(self, words: str) -> bool:
        return plain(words) in {plain(phrase) for phrase in self.read_as}

    def speaks_as_asked(self, words: list[str]) -> bool:
        """Whether these words (all of them, in order) are the asked partner's."""
        words = [word for word in map(plain, words) if word not in self.fillers]
        for index in range(len(words)):
            for cue in self.asked:
                end = index + len(cue.words)
                if end > len(words):
                    continue
                if all(words[index + n] in slot for n, slot in enumerate(cue.words)):
                    after = words[end : end + 2]
                    if not cue.then_coming or not after or self.coming.intersection(after):
                        return True
        return False


ENGLISH = Vocabulary(
    stop_words=frozenset(
        """
        a an the and or but nor if so as than then too very
        i me my mine myself we us our ours ourselves you your yours yourself yourselves
        he him his himself she her hers herself it its itself they them their theirs themselves
        this that these those what which who whom whose
        am is are was were be been being have has had having do does did doing
        will would shall should can could may might must
        of at by for with about against between into through during before after
        above below to from up down in out on off over under again once here there
        when where why how all any both each other some such own just
        no not don't doesn't didn't isn't aren't wasn't weren't can't couldn't
        wouldn't shouldn't haven't hasn't hadn't i'm i've i'd you're we're they're it's
        """.split()
    ),
    vague_words=frozenset(
        """
        go goes going gone went get gets getting got make makes making made
        want wants wanted let lets really also still even ever
        something anything everything someone anyone everyone thing things way
        please help
        """.split()
    ),
    # Only negations, and only where the bare word is not an English word of its own.
    contractions={
        "wont": "won't",
        "dont": "don't",
        "doesnt": "doesn't",
        "didnt": "didn't",
        "isnt": "isn't",
        "arent": "aren't",
        "wasnt": "wasn't",
        "werent": "weren't",
        "cant": "can't",
        "couldnt": "couldn't",
        "wouldnt": "wouldn't",
        "shouldnt": "shouldn't",
        "havent": "haven't",
        "hasnt": "hasn't",
        "hadnt": "hadn't",
        "im": "i'm",
        "ive": "i've",
    },
    synonyms={
        "partner": ["partner", "spouse", "husband", "wife", "boyfriend", "girlfriend"],
        "refuse": [
            "refuse",
            "won't",
            "doesn't want",
            "unwilling",
            "reluctant",
            "resist",
            "hesitant",
            "says no",
            "said no",
            "say no",
        ],
        "therapy": ["therapy", "counseling", "counselling", "counselor", "counsellor"],
        "couples": ["couples", "couple", "marriage", "marital"],
        "fight": ["fight", "argue", "argument", "conflict", "quarrel"],
        "separation": ["separation", "separate", "divorce"],
        "apologize": ["apologize", "apologise", "apology", "sorry"],
        "ask": ["ask", "bring up", "suggest", "raise"],
        "come": ["come", "join", "attend"],
        "afraid": ["afraid", "scared", "fear", "frightened"],
        "online": ["online", "video", "virtual", "telehealth"],
        "private": ["privacy", "private", "confidential", "confidentiality", "secret"],
        "repair": ["repair", "reconnect", "reconcile"],
        "individual": ["individual", "alone"],
    },
    read_as={
        "break up": "separation",
        "split up": "separation",
        "don't want": "refuse",
        "make up": "repair",
        "making up": "repair",
        "made up": "repair",
        "not ready": "refuse",
        "on my own": "individual",
        "by myself": "individual",
        "without my partner": "individual",
    },
    # Someone asks, wants or pushes *them* ("my wife wants me to go", "he
    # asked me"), they were asked ("I was asked to come"), or they say no to
    # coming ("I don't want to go to therapy", "I'm not ready").
    asked=(
        _cue(
            """
            ask asks asked asking want wants wanted invite invites invited inviting
            push pushes pushed pushing pressure pressures pressured pressuring
            beg begs begged begging drag drags dragged dragging nag nags nagged nagging
            """,
            "me",
        ),
        _cue("was were been being got get", "asked invited told"),
        *(
            _cue("i i'm", *refusal.split(), then_coming=True)
            for refusal in (
                "don't want",
                "do not want",
                "won't",
                "refuse",
                "not ready",
                "said no",
                "say no",
            )
        ),
    ),
    coming=frozenset(
        """
        go come attend join try do therapy counseling counselling couples marriage session
        sessions intensive
        """.split()
    ),
    fillers=frozenset({"am", "really", "just", "still", "honestly", "simply", "so", "to"}),
    either=frozenset({"or"}),
)

SPANISH = Vocabulary(
    stop_words=frozenset(
        """
        a al ante bajo con contra de del desde durante en entre hacia hasta para por
        según sin sobre tras el la lo los las un una unos unas y e o u ni pero sino
        que qué quien quién quienes cual cuál cuales como cómo cuando cuándo donde dónde
        cuanto cuánto porque yo tú tu usted ustedes él ella ello ellos ellas nosotros
        nosotras me te se nos le les mi mis su sus tus nuestro nuestra nuestros nuestras
        este esta estos estas ese esa esos esas esto eso aquel aquella
        es son ser era eran fue fueron sea soy somos estoy está estás están estamos estar
        estaba he ha han has hemos hay había muy más mas menos ya también tan tanto así
        aquí allí no sí si
        """.split()
    ),
    vague_words=frozenset(
        """
        ir voy va vamos van ido hacer hago hace hacemos hacen tener tengo tiene tenemos
        tienen poder puedo puede podemos pueden querer quiero quiere queremos quieren
        necesito necesita necesitamos algo alguien nada cosa cosas todo toda todos todas
        mucho mucha muchos muchas siempre ayuda ayudar favor realmente todavía aún
        """.split()
    ),
    synonyms={
        # PostgreSQL's Spanish stemmer makes "marido" and "mar" (the sea) one
        # word: "marido" also finds an article about the sea, a price worth paying.
        "pareja": [
            "pareja",
            "esposo",
            "esposa",
            "marido",
            "novio",
            "novia",
            "cónyuge",
            "matrimonio",
            "matrimonial",
        ],
        "terapia": [
            "terapia",
            "consejería",
            "asesoramiento",
            "psicoterapia",
            "consejero",
            "consejera",
        ],
        "rechaza": [
            "no quiere",
            "se niega",
            "se negó",
            "se negaron",
            "rechaza",
            "no acepta",
            "dice que no",
            "dijo que no",
        ],
        "pelear": [
            "pelear",
            "pelea",
            "peleas",
            "peleamos",
            "pelean",
            "discutir",
            "discusión",
            "discusiones",
            "discutimos",
            "discuten",
            "conflicto",
            "conflictos",
            "pleito",
            "pleitos",
        ],
        "separación": [
            "separación",
            "separarnos",
            "separarse",
            "separarme",
            "separar",
            "divorcio",
            "divorciarnos",
            "divorciarse",
            "divorciarme",
        ],
        "pedir": ["pedir", "pedirle", "pidió", "proponer", "propuso", "sacar el tema", "invitar"],
        "miedo": ["miedo", "temor", "asusta", "asustado", "asustada"],
        "en línea": ["en línea", "video", "videollamada", "virtual", "por internet"],
        "privacidad": ["privacidad", "privado", "privada", "confidencial", "secreto"],
        "individual": ["individual", "individuales", "por su cuenta"],
    },
    read_as={
        "sola": "individual",
        "yo solo": "individual",
        "sin mi pareja": "individual",
        "por mi cuenta": "individual",
        "no está lista": "rechaza",
        "no está listo": "rechaza",
    },
    # Someone asks them ("mi pareja me pidió", "quiere que vaya"), or they say
    # no to coming ("no quiero ir", "no estoy lista"; not "no quiero separarme").
    asked=(
        _cue(
            "me",
            "pidió pide piden pidieron invitó invita invitaron insiste presiona obliga ruega rogó",
        ),
        _cue("quiere quieren", "que", "vaya venga asista acompañe vayamos vengamos"),
        _cue("no", "quiero", then_coming=True),
        _cue("me", "niego", then_coming=True),
        _cue("no", "estoy", "listo lista preparado preparada"),
    ),
    coming=frozenset(
        "ir venir asistir empezar terapia consejería sesión sesiones intensivo".split()
    ),
    fillers=frozenset({"realmente", "todavía", "aún", "a"}),
    either=frozenset({"o", "u"}),
)

VOCABULARIES = {"en": ENGLISH, "es": SPANISH}


def vocabulary(language: str) -> Vocabulary:
    """The words of a language's site; English for any other."""
    return VOCABULARIES.get(language, ENGLISH)
