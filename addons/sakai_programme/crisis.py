# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Words of a person in crisis, read in what people write on LINE.

Pure Python, no Tryton (the FAQ benchmark reads it too).  Text is read
folded: NFKC, lower case, katakana as hiragana, spaces removed."""
import re
import unicodedata

_KATAKANA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}
_TO_HIRAGANA = str.maketrans(_KATAKANA)


def fold(text):
    "NFKC (full-width digits, half-width kana), lower case, katakana→hiragana"
    text = unicodedata.normalize('NFKC', text or '').lower()
    return text.translate(_TO_HIRAGANA)


# Words of a person in crisis, by kind of crisis: each kind has its own
# contacts (support.programme.crisis_contact).  A city extends a kind with
# CRISIS_WORDS[kind].append(pattern) in its own module, or passes more
# patterns by kind to crisis_kinds(text, extra).
DANGER, SUICIDE, VIOLENCE, CHILD, MONEY = (
    'danger', 'suicide', 'violence', 'child', 'money')
# In the order their contacts are given
CRISIS_KINDS = (DANGER, SUICIDE, VIOLENCE, CHILD, MONEY)
_CHILD = r'(子ども|子供|こども|子|娘|むすめ|息子|むすこ|赤ちゃん|あかちゃん)'
CRISIS_WORDS = {
    DANGER: [
        r'殺され', r'ころされ', r'殺す', r'刺され', r'さされそう',
        r'命が(危な|あぶな)', r'いのちが(危な|あぶな)',
        r'血が(止|と)まらな', r'救急車', r'きゅうきゅうしゃ',
        r'飛び降り', r'とびおり', r'首(を)?(吊|つ)', r'練炭',
        r'(薬|くすり)を?(大量|たくさん|全部|ぜんぶ|いっぱい)',
        r'(?<![a-z])od(し|した|する)', r'おーばーどーず',
        r'助けて', r'たすけて', r'(今|いま)すぐ(来て|きて)',
        ],
    SUICIDE: [
        r'死にたい', r'しにたい', r'死の?う(かな|と思)', r'しのう(かな|とおも)',
        r'死んだ(方|ほう)が', r'しんだほうが',
        r'消えたい', r'きえたい', r'消えてしまいたい', r'いなくなりたい',
        r'自殺', r'じさつ', r'自傷', r'じしょう', r'りすか',
        r'生きて(いけ|い?られ)ない', r'いきて(いけ|い?られ)ない',
        r'生きるのが(つら|辛|しんど|疲れ|つかれ)',
        r'いきるのが(つら|しんど|つかれ)',
        r'生きてる?意味', r'いきてる?いみ', r'生きる意味が',
        r'(終わり|おわり)にしたい', r'楽になりたい', r'らくになりたい',
        r'もう限界', r'もうげんかい',
        ],
    VIOLENCE: [
        r'(?<![a-z])dv(?![a-z])', r'どめすてぃっく',
        r'暴力', r'ぼうりょく', r'殴られ', r'なぐられ', r'殴る', r'なぐる',
        r'叩かれ', r'たたかれ', r'蹴られ', r'首を絞め', r'首をしめ',
        r'もらはら', r'脅され', r'おどされ', r'つきまと', r'すとーかー',
        r'(夫|旦那|だんな|彼氏|かれし|元夫|元彼|もとかれ|パートナー|ぱーとなー)'
        r'が(怖|こわ)',
        ],
    CHILD: [
        r'虐待', r'ぎゃくたい',
        _CHILD + r'が(危な|あぶな)',
        _CHILD + r'(を|に)(叩|たた|殴|なぐ|蹴|け)(い|っ|り)',
        _CHILD + r'に(手を(上|あ)げ|当たって|あたって)',
        _CHILD + r'が(叩|たた|殴|なぐ|蹴|け)られ',
        _CHILD + r'(に|が)(ご飯|ごはん|食事|しょくじ)を?'
        r'(食べさせ|たべさせ|あげ)られな',
        r'育児放棄', r'ねぐれくと',
        ],
    MONEY: [
        r'(お金|金|おかね|所持金)が?(無い|ない|なくて|なくな|ありません'
        r'|底をつ|そこをつ|尽き|つき)',
        r'(食べる|たべる)(もの|物)が?(無い|ない|なく)',
        r'(食べ物|たべもの|食料|ご飯|ごはん|めし)が?(無い|ない|なく'
        r'|食べられ|たべられ|買えな|かえな)',
        r'(家|いえ|部屋|へや)を?(追い出|おいだ)', r'追い出され', r'おいだされ',
        r'(住む|すむ)(ところ|所|場所|いえ|家)が?(無い|ない|なく)',
        r'ほーむれす', r'野宿', r'のじゅく',
        r'家賃が?(払え|はらえ)', r'やちんが?はらえ',
        r'(電気|でんき|ガス|がす|水道|すいどう)(が|を)?(止め|とめ|止ま|とま)',
        r'(借金|しゃっきん)が?(返せ|かえせ)', r'闇金', r'やみきん',
        ],
    }


def crisis_kinds(text, extra=None):
    """The kinds of crisis the text shows, in CRISIS_KINDS order.

    extra: more patterns by kind (a city's own words), read like
    CRISIS_WORDS: on the folded text without spaces."""
    folded = re.sub(r'\s+', '', fold(text))
    kinds = []
    for kind in CRISIS_KINDS:
        patterns = CRISIS_WORDS.get(kind, []) + list(
            (extra or {}).get(kind, []))
        if any(re.search(p, folded) for p in patterns):
            kinds.append(kind)
    return kinds
