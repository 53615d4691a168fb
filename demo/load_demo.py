#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Load fictional demonstration data into a Sakai LINE database.

Usage::

    python demo/load_demo.py -c CONFIG -d DATABASE

Run it after ``trytond-admin -c CONFIG -d DATABASE --all -l ja`` has
activated ``sakai_reports`` (which pulls in the other modules).

Every person, company, phone number and LINE ID below is invented.  The
loader is idempotent: each record is looked up by a stable key first
(country code, currency code, company party name, user login, party name,
job title and employer, seminar name, session start), so running it again
creates nothing.  Dates are relative to today and the random choices use a
fixed seed, so the data is the same from one database to the next.
"""
import argparse
import datetime as dt
import random
import sys
from decimal import Decimal

import jpholiday
import phonenumbers

SEED = 20260401
DEMO_PASSWORD = 'demo-password-2026'
COMPANY_NAME = '一般社団法人さかい就労サポート（デモ）'

PROGRAMME = {
    'name': '堺市ひとり親×仕事サポートLINE',
    'municipality': '堺市',
    'target': (
        '堺市在住のシングルマザー等。ひとり親家庭のこども、'
        'シングルファーザー、離婚を検討している方も利用できます。'),
    'office_address': (
        '〒590-0000 大阪府堺市堺区（デモ）1-2-3 サンプルビル4階'),
    'office_phone': '072-200-0000',
    'emergency_contacts': (
        'DV相談ナビ #8008\n'
        'よりそいホットライン 0120-279-338\n'
        '緊急の場合は110番・119番'),
    }

# (login, name, sakai_line groups, extra (module, xml id) groups)
STAFF = [
    ('counselor1', '相談員 青木 美咲', ['group_counselor'], []),
    ('counselor2', '相談員 西村 恵', ['group_counselor'], []),
    ('coordinator1', 'コーディネーター 藤田 健', ['group_coordinator'], []),
    ('coordinator2', 'コーディネーター 松本 由紀', ['group_coordinator'], []),
    ('manager1', '管理者 山口 誠', ['group_manager'], []),
    ('sysadmin1', 'システム管理者 小林 拓也', ['group_sysadmin'],
        [('res', 'group_admin')]),
    ('auditor1', '監査担当 中島 聡子', ['group_auditor'], []),
    ]

# (name, kana, household)
CLIENTS = [
    ('佐藤 花子', 'サトウ ハナコ', 'single_mother'),
    ('鈴木 理恵', 'スズキ リエ', 'single_mother'),
    ('高橋 直美', 'タカハシ ナオミ', 'single_mother'),
    ('田中 彩', 'タナカ アヤ', 'single_mother'),
    ('伊藤 麻衣', 'イトウ マイ', 'single_mother'),
    ('渡部 さやか', 'ワタベ サヤカ', 'single_mother'),
    ('山本 智子', 'ヤマモト トモコ', 'single_mother'),
    ('中川 千尋', 'ナカガワ チヒロ', 'single_mother'),
    ('小川 朋美', 'オガワ トモミ', 'single_mother'),
    ('加藤 由香', 'カトウ ユカ', 'single_mother'),
    ('吉村 愛', 'ヨシムラ アイ', 'single_mother'),
    ('岡田 真由美', 'オカダ マユミ', 'single_mother'),
    ('松井 香織', 'マツイ カオリ', 'single_mother'),
    ('井上 亜紀', 'イノウエ アキ', 'single_mother'),
    ('木下 沙織', 'キノシタ サオリ', 'single_mother'),
    ('林 美穂', 'ハヤシ ミホ', 'single_mother'),
    ('清水 恵美', 'シミズ エミ', 'single_mother'),
    ('山崎 裕子', 'ヤマザキ ユウコ', 'single_mother'),
    ('森 晴香', 'モリ ハルカ', 'single_mother'),
    ('池田 朋子', 'イケダ トモコ', 'single_mother'),
    ('橋本 瞳', 'ハシモト ヒトミ', 'single_mother'),
    ('阿部 知美', 'アベ トモミ', 'single_mother'),
    ('前田 純子', 'マエダ ジュンコ', 'single_mother'),
    ('長谷川 大輔', 'ハセガワ ダイスケ', 'single_father'),
    ('村上 翔太', 'ムラカミ ショウタ', 'single_father'),
    ('近藤 健一', 'コンドウ ケンイチ', 'single_father'),
    ('坂本 美月', 'サカモト ミツキ', 'child'),
    ('石川 千夏', 'イシカワ チナツ', 'child'),
    ('遠藤 友美', 'エンドウ トモミ', 'considering_divorce'),
    ('藤井 明日香', 'フジイ アスカ', 'considering_divorce'),
    ]

# (current_work, note) for parents; 'child' household clients are young
# people looking for their first job.
WORKS = [
    ('none', '求職中（前職は飲食店ホール）'),
    ('none', '離婚後、就労経験なし'),
    ('part_time', 'スーパーのレジ（週4日）'),
    ('part_time', 'ドラッグストアの品出し（1日5時間）'),
    ('part_time', '飲食店のキッチン補助（夕方以外）'),
    ('contract', '事務（契約社員・1年更新）'),
    ('contract', 'コールセンター（契約社員）'),
    ('dispatch', '派遣で製造業の検品'),
    ('full_time', '介護施設の正社員（夜勤あり）'),
    ('self_employed', 'ネイリスト（自宅サロン）'),
    ('other', '職業訓練校に通学中'),
    ]
CHILD_WORKS = [
    ('part_time', 'コンビニのアルバイト（週3日）'),
    ('other', '専門学校在学中'),
    ]
WISHES = ['find', 'change', 'increase', 'undecided']

# Sakai's wards with a postal code of each
WARDS = [
    ('堺市堺区', '590-0078', '南瓦町'),
    ('堺市北区', '591-8025', '長曽根町'),
    ('堺市中区', '599-8236', '深井沢町'),
    ('堺市東区', '599-8112', '日置荘原寺町'),
    ('堺市西区', '593-8324', '鳳東町'),
    ('堺市南区', '590-0141', '桃山台'),
    ('堺市美原区', '587-0002', '黒山'),
    ]

# (name, industry, employees, single_parent_friendly, note)
EMPLOYERS = [
    ('株式会社さかい介護サービス（デモ）', 'care', 120, True,
        '子どもの発熱時の急な休みに理解あり。日勤のみの勤務も相談可。'),
    ('泉北ベーカリー有限会社（デモ）', 'food', 18, True,
        '早朝の製造と日中の販売の2部門。学校行事での休みは事前申請で対応。'),
    ('堺みなと物流株式会社（デモ）', 'logistics', 85, True,
        '事務所は駅から徒歩5分。残業ほぼなし、正社員登用実績あり。'),
    ('医療法人なかもず会 なかもずクリニック（デモ）', 'care', 25, True,
        '院長がひとり親支援に積極的。土曜午後と日祝は休診。'),
    ('株式会社フェニックスITソリューションズ（デモ）', 'office', 40, True,
        '在宅勤務制度あり。フレックスタイムで保育園の送迎に対応。'),
    ('社会福祉法人もず福祉会 もずの森保育園（デモ）', 'education', 30, True,
        '職員の子どもの優先入園枠あり。保育士資格取得の支援制度あり。'),
    ('株式会社堺刃物工房（デモ）', 'manufacturing', 22, False,
        '伝統産業の工房。繁忙期（年末）は残業あり。見学歓迎。'),
    ('株式会社フレッシュマートさかい（デモ）', 'retail', 150, True,
        '市内に6店舗。短時間パートから正社員への登用制度あり。'),
    ('税理士法人泉州会計事務所（デモ）', 'office', 15, False,
        '確定申告期（2〜3月）は繁忙。簿記資格取得を支援。'),
    ('株式会社美原精密工業（デモ）', 'manufacturing', 60, True,
        '美原区の工場。社員食堂あり、子育て中の社員が多い。'),
    ]

# (employer index, title, employment_type, wage_type, wage_min, wage_max,
#  hours, short_hours, remote, no_overtime, positions, description, state)
JOB_ORDERS = [
    (0, '介護職員（日勤のみ）', 'full_time', 'monthly', 210000, 250000,
        '8:30〜17:30（夜勤なし）', False, False, True, 3,
        'デイサービスでの入浴・食事介助などをお願いします。夜勤はなく、'
        '土日どちらかの休みも相談できます。子どもの急な発熱による欠勤も'
        '職場全体でフォローします。', 'open'),
    (0, '訪問介護スタッフ（短時間）', 'part_time', 'hourly', 1300, 1500,
        '9:00〜15:00（週3日〜）', True, False, True, 2,
        '利用者様のご自宅での生活援助が中心です。子どもの登校後から'
        '下校前までの勤務ができ、初任者研修の受講費用も支援します。',
        'open'),
    (1, '販売スタッフ（正社員登用あり）', 'full_time_track', 'hourly',
        1100, 1250, '9:00〜15:00', True, False, True, 1,
        'パンの販売と簡単な包装をお願いします。はじめは短時間から始め、'
        '子どもの成長に合わせて正社員を目指せます。', 'open'),
    (1, '製造スタッフ（パン製造）', 'full_time', 'monthly', 190000, 230000,
        '6:00〜15:00', False, False, False, 1,
        '早朝からのパン製造です。午後3時に終業するため、'
        '学童のお迎えに間に合います。', 'filled'),
    (2, '一般事務（配車受付）', 'full_time', 'monthly', 200000, 240000,
        '9:00〜17:30', False, False, True, 1,
        '電話での配車受付とデータ入力をお願いします。残業はほぼなく、'
        '定時に退社できます。未経験でも丁寧に教えます。', 'open'),
    (2, '倉庫内軽作業', 'part_time', 'hourly', 1150, 1200,
        '9:30〜14:30', True, False, True, 3,
        '軽い商品のピッキングと検品です。1日5時間から働け、'
        '学校行事の休みも調整できます。', 'open'),
    (3, '医療事務', 'full_time_track', 'monthly', 185000, 220000,
        '8:45〜17:00（土曜午後・日祝休み）', False, False, True, 1,
        '受付・会計とレセプト業務です。資格がなくても応募でき、'
        '半年後の正社員登用を予定しています。院長がひとり親の働き方に'
        '理解があります。', 'open'),
    (3, '看護助手', 'contract', 'hourly', 1200, 1350,
        '9:00〜13:00', True, False, True, 1,
        '診察の準備や院内の清掃をお願いします。午前のみの勤務で、'
        '子どもの帰宅前に終わります。', 'open'),
    (4, '経理事務', 'full_time', 'monthly', 230000, 280000,
        '9:30〜18:00（フレックスタイム制）', False, True, False, 1,
        '請求書発行と経費精算が中心です。週2日まで在宅勤務ができ、'
        'フレックスタイムで保育園の送迎にも対応できます。', 'open'),
    (4, 'データ入力・事務サポート（在宅可）', 'full_time_track', 'hourly',
        1200, 1400, '10:00〜16:00', True, True, True, 2,
        '顧客データの入力と確認作業です。研修後は在宅勤務が中心になり、'
        '子どもの急な体調不良にも対応しやすい仕事です。', 'draft'),
    (5, '保育補助', 'part_time', 'hourly', 1150, 1300,
        '8:30〜13:30', True, False, True, 2,
        '保育士の補助として子どもの見守りや食事の介助をお願いします。'
        '職員の子どもの優先入園枠があります。', 'open'),
    (5, '保育士', 'full_time', 'monthly', 220000, 260000,
        '7:30〜18:30のシフト制（実働8時間）', False, False, True, 1,
        '0〜2歳児クラスの担任補助からお願いします。シフトは子どもの'
        '送迎時間に合わせて組むことができます。', 'open'),
    (6, '製造ライン作業', 'full_time', 'monthly', 200000, 240000,
        '8:30〜17:15', False, False, False, 2,
        '包丁の研磨・検品ラインでの作業です。経験者が一から教えます。'
        '年末の繁忙期を除き残業はほとんどありません。', 'filled'),
    (6, 'オンラインショップ運営スタッフ', 'full_time_track', 'monthly',
        190000, 230000, '9:00〜17:00', False, True, True, 1,
        '自社通販サイトの商品登録と問い合わせ対応です。慣れたら一部'
        '在宅勤務も可能で、家庭との両立がしやすい仕事です。', 'draft'),
    (7, '販売スタッフ（レジ・品出し）', 'full_time_track', 'hourly',
        1100, 1200, '9:00〜15:00', True, False, True, 3,
        'レジと品出しをお願いします。短時間パートから始めて'
        '正社員登用を目指せます。子どもの行事の休みも相談できます。',
        'open'),
    (7, '店舗事務', 'full_time', 'monthly', 190000, 220000,
        '9:00〜17:00', False, False, True, 1,
        '売上集計と発注データの入力です。土日のどちらかは休みが取れ、'
        '残業はありません。', 'filled'),
    (8, '経理事務（会計事務所）', 'full_time', 'monthly', 220000, 270000,
        '9:00〜17:00', False, False, False, 1,
        '記帳代行と決算書類の作成補助です。簿記3級程度の知識があれば'
        '応募できます。資格取得の費用を支援します。', 'open'),
    (8, '一般事務（パート）', 'part_time', 'hourly', 1200, 1300,
        '10:00〜15:00', True, False, True, 1,
        '電話応対と書類整理です。子どもの登校中に働ける時間帯で、'
        '扶養内・扶養外どちらも相談できます。', 'open'),
    (9, '製造ライン作業（検品）', 'full_time', 'monthly', 195000, 235000,
        '8:00〜16:45', False, False, True, 2,
        '精密部品の外観検査です。座ってできる作業が中心で、'
        '子育て中の社員が多く急な休みにも理解があります。', 'open'),
    (9, '品質管理事務', 'dispatch', 'hourly', 1300, 1450,
        '9:00〜17:00', False, False, True, 1,
        '検査データの集計と書類作成です。派遣期間終了後の直接雇用も'
        '相談できます。', 'open'),
    ]

# (name, kind, theme, target, description, capacity, childcare, method,
#  venue, speaker, [day offsets], (JST start hour, minute), minutes, weekday)
# The LINE channel of the demo talks to the local stand-in (make start)
CHANNEL = {
    'bot_basic_id': '@sakai-demo',
    'public_url': 'http://127.0.0.1:8000',
    'login_channel_id': '2000000000',
    }
DEMO_LOGIN_SECRET = 'demo-login-channel-secret'

# Inbox: (what a citizen wrote, hours ago, staff answer or None)
INQUIRIES = [
    ("子どもが熱を出しやすいので、急に休んでも大丈夫な仕事はありますか", 21, None),
    ("面接に着ていく服がありません。どうしたらいいですか", 5, None),
    ("先日の相談で紹介された求人に応募したいです", 30,
        "ご連絡ありがとうございます。担当の相談員から応募の手続きをご案内します。"),
    ("担当の人と話したい", 1, None),
    ]

# Friend-add sources: (name, medium)
SOURCES = [
    ("区役所窓口のチラシ", 'flyer'),
    ("Instagram広告（春）", 'ad'),
    ("ひとり親家庭セミナー会場", 'event'),
    ("市ホームページ", 'web'),
    ]

SEMINARS = [
    ('ひとり親になって間もない方のための自立支援セミナー', 'self_reliance',
        '手当・制度の活用と、これからの働き方',
        'ひとり親になって3年未満の方',
        '児童扶養手当などの制度と、子育てしながら働くための準備を'
        '分かりやすく説明します。お子さん連れでも参加できます。',
        20, True, 'face_to_face',
        '堺市総合福祉会館（デモ） 5階 研修室', '社会福祉士 宮本 香織',
        [-75, -20, 24], (10, 0), 120, 5),
    ('転職で収入アップを目指す方のためのセミナー', 'self_reliance',
        'キャリアの棚卸しと応募書類の作り方',
        '働きながら転職・収入アップを考えている方',
        'これまでの経験を整理し、正社員を目指すための履歴書・職務経歴書の'
        '書き方を学びます。託児があります。',
        20, True, 'face_to_face',
        'サンプルビル4階 セミナールーム（デモ）',
        'キャリアコンサルタント 大西 隆',
        [-45, 10], (10, 0), 120, 5),
    ('仕事と子育ての両立 交流会', 'exchange',
        '働くひとり親どうしで話そう', 'ひとり親の方（就業中・求職中とも）',
        '仕事と子育ての両立について、同じ立場の方と気軽に話せる交流会です。',
        10, False, 'face_to_face',
        'サンプルビル4階 セミナールーム（デモ）',
        'ファシリテーター 北村 陽子',
        [-30, 17], (13, 30), 90, 5),
    ('はじめてのパソコン・Excel講座', 'skill_up',
        '事務職に必要な基本操作', 'パソコンに不慣れな方',
        '文字入力から表計算の基本まで、少人数でじっくり練習します。',
        5, False, 'face_to_face',
        'サンプルビル4階 パソコン教室（デモ）', 'パソコン講師 川口 亮',
        [-14, 3, 31], (10, 0), 150, 1),
    ('簿記3級入門', 'skill_up',
        '経理事務をめざす第一歩', '経理・事務職に関心のある方',
        '仕訳の考え方から簿記3級の出題範囲を3回で学びます。'
        '子どもが寝たあとの夜の時間にオンラインで受講できます。',
        5, False, 'online',
        'オンライン（Zoom）', '簿記講師 今井 里香',
        [-7, 7, 14], (20, 0), 90, 2),
    ]

JST = dt.timedelta(hours=9)


# Consents the demo clients gave at registration (ledger purposes)
CONSENT_PURPOSES = ['statistics', 'employer_sharing', 'employer_feedback']
# Counselors' working hours for the demo's slots (Japan time): evenings to
# 01:00 by chat, phone and video; early mornings; daytime at the office
COUNSELING_HOURS = [
    ('counselor1', None, dt.time(18, 0), dt.time(1, 0),
        ['chat', 'phone', 'video']),
    ('counselor2', None, dt.time(6, 0), dt.time(9, 0),
        ['chat', 'phone', 'video']),
    ('counselor2', ['0', '1', '2', '3', '4'], dt.time(10, 0),
        dt.time(16, 0), ['chat', 'phone', 'video', 'face_to_face']),
    ]
# Demo bookings: (days from today, hour, method, state)
DEMO_BOOKINGS = [
    (-2, 19, 'chat', 'done'),
    (-1, 21, 'video', 'done'),
    (-1, 20, 'phone', 'no_show'),
    (1, 20, 'chat', 'booked'),
    (2, 7, 'phone', 'booked'),
    (3, 22, 'video', 'booked'),
    ]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', dest='config', required=True,
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', dest='database', required=True,
        help="the database to load the demo data into")
    return parser.parse_args()


def valid_phone(value):
    try:
        number = phonenumbers.parse(value, 'JP')
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def pick_phone(rng, template):
    "Draw a number from template until phonenumbers accepts it"
    while True:
        value = template.format(rng.randint(1000, 9999))
        if valid_phone(value):
            return value


def school_note(birth_date, today):
    "Describe where a child is, following the Japanese school year"
    school_year = today.year if today.month >= 4 else today.year - 1
    # Children born from April 2nd enter school a year later
    if (birth_date.month, birth_date.day) >= (4, 2):
        entry = birth_date.year + 7
    else:
        entry = birth_date.year + 6
    grade = school_year - entry + 1
    if grade <= -5:
        return '乳児'
    if grade <= -3:
        return '保育園'
    if grade <= 0:
        return '保育園' if birth_date.month % 2 else '幼稚園'
    if grade <= 6:
        return '小学%d年生' % grade
    if grade <= 9:
        return '中学%d年生' % (grade - 6)
    if grade <= 12:
        return '高校%d年生' % (grade - 9)
    return '専門学校・大学生'


def first_of_month(date):
    return date.replace(day=1)


def plan(today):
    "Draw all random data up front so it never depends on the database"
    rng = random.Random(SEED)
    clients = []
    for i, (name, kana, household) in enumerate(CLIENTS):
        registered_on = today - dt.timedelta(days=rng.randint(3, 362))
        children = []
        if household == 'child':
            work, work_note = rng.choice(CHILD_WORKS)
            wish = 'find'
        else:
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3])):
                age_days = rng.randint(200, 17 * 365)
                birth = first_of_month(today - dt.timedelta(days=age_days))
                children.append({
                        'birth_date': birth,
                        'note': school_note(birth, today),
                        })
            work, work_note = rng.choice(WORKS)
            wish = rng.choice(WISHES)
            if work == 'none':
                wish = 'find'
        mobile = '090-{:04d}-{:04d}'.format(
            rng.randint(1000, 9999), 5600 + i + 1)
        assert valid_phone(mobile), mobile
        address = None
        if rng.random() < 0.5:
            city, postal_code, town = rng.choice(WARDS)
            address = {
                'street_unstructured': '%s%d丁目%d-%d（デモ）' % (
                    town, rng.randint(1, 5), rng.randint(1, 30),
                    rng.randint(1, 20)),
                'postal_code': postal_code,
                'city': city,
                }
        clients.append({
                'name': name,
                'name_kana': kana,
                'household': household,
                'registered_on': registered_on,
                'children': children,
                'current_work': work,
                'current_work_note': work_note,
                'employment_wish': wish,
                'counselor': i % 2,
                'consent_statistics': rng.random() < 0.85,
                'consent_employer_sharing': rng.random() < 0.6,
                'consent_employer_feedback': rng.random() < 0.4,
                'mobile': mobile,
                'address': address,
                'followed_hour': rng.randint(0, 23),
                'followed_before': rng.randint(0, 5),
                })

    # LINE users: about 20 clients came through LINE, 3 people blocked
    line_users = []
    linked = sorted(rng.sample(range(len(clients)), 20))
    for i in linked:
        client = clients[i]
        followed = dt.datetime.combine(
            client['registered_on']
            - dt.timedelta(days=client['followed_before']),
            dt.time(client['followed_hour'], rng.randint(0, 59)))
        line_id = 'U%032x' % rng.getrandbits(128)
        client['line_id'] = line_id
        line_users.append({
                'line_id': line_id,
                'state': 'following',
                'followed_at': followed,
                'blocked_at': None,
                })
    for _ in range(3):
        followed = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(120, 360)),
            dt.time(rng.randint(0, 23), rng.randint(0, 59)))
        blocked = followed + dt.timedelta(
            days=rng.randint(1, 90), hours=rng.randint(0, 23))
        line_users.append({
                'line_id': 'U%032x' % rng.getrandbits(128),
                'state': 'blocked',
                'followed_at': followed,
                'blocked_at': blocked,
                })

    employers = []
    for i, (name, industry, employees, friendly, note) in enumerate(
            EMPLOYERS):
        employers.append({
                'name': name,
                'industry': industry,
                'employees': employees,
                'single_parent_friendly': friendly,
                'employer_note': note,
                'developed_by': i % 2,
                'developed_on': today - dt.timedelta(
                    days=rng.randint(30, 360)),
                'phone': pick_phone(rng, '072-2%02d-{}' % rng.randint(
                        10, 99)),
                })

    orders = []
    for i, (employer, title, employment_type, wage_type, wage_min, wage_max,
            hours, short_hours, remote, no_overtime, positions, description,
            state) in enumerate(JOB_ORDERS):
        received_on = max(
            employers[employer]['developed_on'],
            today - dt.timedelta(days=rng.randint(1, 180)))
        valid_until = None
        if rng.random() < 0.5:
            valid_until = received_on + dt.timedelta(days=90)
        orders.append({
                'employer': employer,
                'title': title,
                'employment_type': employment_type,
                'wage_type': wage_type,
                'wage_min': wage_min,
                'wage_max': wage_max,
                'hours': hours,
                'short_hours': short_hours,
                'remote': remote,
                'no_overtime': no_overtime,
                'positions': positions,
                'description': description,
                'location': EMPLOYERS_LOCATION.get(employer, '堺市'),
                'received_on': received_on,
                'valid_until': valid_until,
                'coordinator': i % 2,
                'state': state,
                })
    return clients, line_users, employers, orders


EMPLOYERS_LOCATION = {
    0: '堺市北区', 1: '堺市南区', 2: '堺市西区', 3: '堺市北区',
    4: '堺市堺区', 5: '堺市北区', 6: '堺市堺区', 7: '堺市中区',
    8: '堺市堺区', 9: '堺市美原区',
    }


def session_times(today, offset, weekday, start_time, minutes,
        closed=lambda start, end: False):
    """Return the naive UTC start and end of a session held offset days
    from today, moved away from today to the given weekday, and on by a
    week while closed(start, end) says the service is closed then (e.g.
    the year-end holidays) or the day is a national holiday"""
    day = today + dt.timedelta(days=offset)
    step = 1 if offset >= 0 else -1
    while day.weekday() != weekday:
        day += dt.timedelta(days=step)
    while True:
        start = dt.datetime.combine(day, dt.time(*start_time)) - JST
        end = start + dt.timedelta(minutes=minutes)
        if not (jpholiday.is_holiday(day) or closed(start, end)):
            return start, end, day
        day += dt.timedelta(weeks=step)


def closed_for_seminars(pool):
    """Whether the programme is closed during [start, end) (naive UTC):
    one of its closures, of all counseling or of the office, covers it"""
    Closure = pool.get('counseling.closure')

    def closed(start, end):
        return bool(Closure.covering(start, end))
    return closed


class Loader:

    def __init__(self, pool):
        self.pool = pool
        self.created = {}

    def count(self, key, n=1):
        self.created[key] = self.created.get(key, 0) + n

    def get_or_create(self, model, domain, values, key):
        Model = self.pool.get(model)
        records = Model.search(domain, limit=1)
        if records:
            return records[0], False
        record, = Model.create([values])
        self.count(key)
        return record, True

    def run(self):
        pool = self.pool
        ModelData = pool.get('ir.model.data')
        Date = pool.get('ir.date')
        today = Date.today()
        clients, line_users, employers, orders = plan(today)

        # 1. Country and currency
        Country = pool.get('country.country')
        japan, _ = self.get_or_create('country.country',
            [('code', '=', 'JP')], {
                'code': 'JP', 'code3': 'JPN', 'code_numeric': '392',
                'name': '日本',
                }, 'country')
        jpy, _ = self.get_or_create('currency.currency',
            [('code', '=', 'JPY')], {
                'code': 'JPY', 'name': '日本円', 'symbol': '¥',
                'digits': 0, 'rounding': Decimal('1'),
                'numeric_code': '392',
                }, 'currency')
        assert isinstance(japan, Country)

        # 3. Programme first: phone numbers are read as its country's
        Programme = pool.get('support.programme')
        assert valid_phone(PROGRAMME['office_phone'])
        programme = Programme(1)
        values = dict(PROGRAMME, country=japan.id)
        if Programme.get_singleton() is None:
            Programme.create([values])
            self.count('programme')
        else:
            current = {k: getattr(programme, k) for k in values}
            if current['country']:
                current['country'] = current['country'].id
            changes = {k: v for k, v in values.items() if current[k] != v}
            if changes:
                Programme.write([programme], changes)

        # 2. Company
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        companies = Company.search(
            [('party.name', '=', COMPANY_NAME)], limit=1)
        if companies:
            company, = companies
        else:
            party, _ = self.get_or_create('party.party',
                [('name', '=', COMPANY_NAME)], {'name': COMPANY_NAME},
                'company party')
            company, = Company.create([{
                        'party': party.id,
                        'currency': jpy.id,
                        'timezone': 'Asia/Tokyo',
                        }])
            self.count('company')

        # 4. Language and administrator
        Lang = pool.get('ir.lang')
        ja, = Lang.search([('code', '=', 'ja')], limit=1)
        Configuration = pool.get('ir.configuration')
        configuration = Configuration(1)
        if configuration.language != 'ja':
            Configuration.write([configuration], {'language': 'ja'})

        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')], limit=1)
        admin_values = {}
        if admin.language != ja:
            admin_values['language'] = ja.id
        if company not in admin.companies:
            admin_values['companies'] = [('add', [company.id])]
        if admin.company != company:
            admin_values['company'] = company.id
        if admin_values:
            User.write([admin], admin_values)

        # 5. Staff
        staff = {}
        for login, name, groups, extra in STAFF:
            group_ids = [ModelData.get_id('sakai_line', g) for g in groups]
            group_ids += [ModelData.get_id(m, g) for m, g in extra]
            user, _ = self.get_or_create('res.user',
                [('login', '=', login)], {
                    'login': login,
                    'name': name,
                    'password': DEMO_PASSWORD,
                    'language': ja.id,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'groups': [('add', group_ids)],
                    }, 'user')
            staff[login] = user
        counselors = [staff['counselor1'], staff['counselor2']]
        coordinators = [staff['coordinator1'], staff['coordinator2']]

        # 6. LINE users and clients
        LineUser = pool.get('line.user')
        line_records = {}
        for values in line_users:
            line_user, _ = self.get_or_create('line.user',
                [('line_id', '=', values['line_id'])], values, 'line user')
            line_records[values['line_id']] = line_user

        for client in clients:
            line_user = line_records.get(client.get('line_id'))
            found = Party.search([
                    ('name', '=', client['name']),
                    ('is_client', '=', True),
                    ], limit=1)
            if found:
                party, = found
                # Link the LINE user of a client loaded before it existed
                if line_user and not party.line_user and not Party.search(
                        [('line_user', '=', line_user.id)]):
                    Party.write([party], {'line_user': line_user.id})
                continue
            purposes = {p.code: p for p in pool.get(
                    'party.consent.purpose').search([])}
            values = {
                'name': client['name'],
                'is_client': True,
                'name_kana': client['name_kana'],
                'registered_on': client['registered_on'],
                'household': client['household'],
                'current_work': client['current_work'],
                'current_work_note': client['current_work_note'],
                'employment_wish': client['employment_wish'],
                'counselor': counselors[client['counselor']].id,
                # The consent ledger: what she agreed to at registration
                'consents': [('create', [{
                                'purpose': purposes[code].id,
                                'action': 'given',
                                'at': dt.datetime.combine(
                                    client['registered_on'], dt.time(1)),
                                'channel': 'paper',
                                } for code in CONSENT_PURPOSES
                            if client['consent_' + code]])],
                'lang': ja.id,
                'contact_mechanisms': [('create', [{
                                'type': 'mobile',
                                'value': client['mobile'],
                                }])],
                'children': [('create', client['children'])],
                }
            if line_user:
                values['line_user'] = line_user.id
            if client['address']:
                values['addresses'] = [('create', [
                            dict(client['address'], country=japan.id)])]
            Party.create([values])
            self.count('client')
            self.count('child', len(client['children']))

        # 7. Employers
        employer_records = []
        for employer in employers:
            found = Party.search([
                    ('name', '=', employer['name']),
                    ('is_employer', '=', True),
                    ], limit=1)
            if found:
                employer_records.append(found[0])
                continue
            party, = Party.create([{
                        'name': employer['name'],
                        'is_employer': True,
                        'industry': employer['industry'],
                        'employees': employer['employees'],
                        'developed_by': (
                            coordinators[employer['developed_by']].id),
                        'developed_on': employer['developed_on'],
                        'single_parent_friendly': (
                            employer['single_parent_friendly']),
                        'employer_note': employer['employer_note'],
                        'lang': ja.id,
                        'contact_mechanisms': [('create', [{
                                        'type': 'phone',
                                        'value': employer['phone'],
                                        }])],
                        }])
            employer_records.append(party)
            self.count('employer')

        # 8. Job orders
        JobOrder = pool.get('job.order')
        to_open, to_fill = [], []
        for order in orders:
            employer = employer_records[order['employer']]
            if JobOrder.search([
                        ('title', '=', order['title']),
                        ('employer', '=', employer.id),
                        ], limit=1):
                continue
            values = {k: v for k, v in order.items()
                if k not in {'state', 'employer', 'coordinator'}}
            values['employer'] = employer.id
            values['coordinator'] = coordinators[order['coordinator']].id
            job, = JobOrder.create([values])
            self.count('job order')
            if order['state'] in {'open', 'filled'}:
                to_open.append(job)
            if order['state'] == 'filled':
                to_fill.append(job)
        if to_open:
            JobOrder.open(to_open)
        if to_fill:
            JobOrder.fill(to_fill)

        # 9. Seminars and sessions, on days the programme is open
        Session = pool.get('seminar.session')
        closed = closed_for_seminars(pool)
        to_do = []
        for (name, kind, theme, target, description, capacity, childcare,
                method, venue, speaker, offsets, start_time, minutes,
                weekday) in SEMINARS:
            seminar, created = self.get_or_create('seminar.seminar',
                [('name', '=', name)], {
                    'name': name,
                    'kind': kind,
                    'theme': theme,
                    'target': target,
                    'description': description,
                    'capacity': capacity,
                    }, 'seminar')
            if not created and seminar.sessions:
                # Session dates follow today: a seminar loaded on an
                # earlier day keeps the sessions it got then.
                continue
            for offset in offsets:
                start, end, day = session_times(
                    today, offset, weekday, start_time, minutes, closed)
                session, session_created = self.get_or_create(
                    'seminar.session', [
                        ('seminar', '=', seminar.id),
                        ('start', '=', start),
                        ], {
                        'seminar': seminar.id,
                        'start': start,
                        'end': end,
                        'method': method,
                        'venue': venue,
                        'speaker': speaker,
                        'capacity': capacity,
                        'childcare': childcare,
                        }, 'session')
                if session_created and day < today:
                    to_do.append(session)
        if to_do:
            Session.do(to_do)

        # 10. LINE channel and friend-add sources (rich menus are module
        # data, uploaded by tools/line_sync.py at start)
        Configuration = pool.get('line.configuration')
        configuration = Configuration(1)
        changes = {k: v for k, v in CHANNEL.items()
            if getattr(configuration, k) != v}
        if not configuration.stored_login_channel_secret:
            changes['login_channel_secret'] = DEMO_LOGIN_SECRET
        if changes:
            Configuration.write([configuration], changes)
        for name, medium in SOURCES:
            self.get_or_create('line.source', [('name', '=', name)], {
                    'name': name, 'medium': medium}, 'friend-add source')

        # 11. The inbox: a few questions waiting for staff
        Inquiry = pool.get('line.inquiry')
        if not Inquiry.search([], limit=1):
            followers = LineUser.search(
                [('state', '=', 'following')], order=[('id', 'ASC')])
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            for user, (text, hours_ago, answer) in zip(followers, INQUIRIES):
                Inquiry.receive(user, text)
                inquiry, = Inquiry.search([('line_user', '=', user.id)])
                received = now - dt.timedelta(hours=hours_ago)
                Inquiry.write([inquiry], {
                        'received_at': received,
                        'due_at': received + dt.timedelta(hours=24)})
                Message = pool.get('line.inquiry.message')
                Message.write(list(inquiry.messages), {'at': received})
                if answer:
                    Message.create([{'inquiry': inquiry.id,
                                'direction': 'out', 'text': answer,
                                'at': received + dt.timedelta(hours=2)}])
                    Inquiry.write([inquiry], {
                            'state': 'waiting',
                            'answered_at': received + dt.timedelta(hours=2),
                            'answered_in_time': True})
                self.count('inquiry')

        # 12. Counseling: counselors' slots for two weeks, bookings and
        # the records of sessions already held
        self.counseling(pool, today)

        # 13. Separation of duties: the administrator asked for the
        # handover export and the auditor approved it (就業支援 › 承認依頼)
        self.approvals(pool)

        return self.summary(pool, LineUser, Session, JobOrder)

    def approvals(self, pool):
        from trytond.transaction import Transaction
        User = pool.get('res.user')
        Approval = pool.get('sakai.approval')
        if Approval.search([], limit=1):
            return
        sysadmin, = User.search([('login', '=', 'sysadmin1')])
        auditor, = User.search([('login', '=', 'auditor1')])
        with Transaction().set_user(sysadmin.id):
            approval, = Approval.create([{'kind': 'handover',
                        'reason': "契約終了に伴う次の事業者への引継ぎ（デモ）"}])
        with Transaction().set_user(auditor.id):
            Approval.approve([approval])
        self.count('approval')

    def counseling(self, pool, today):
        from trytond.transaction import Transaction
        User = pool.get('res.user')
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        Party = pool.get('party.party')
        Generate = pool.get('counseling.slot.generate', type='wizard')
        if Slot.search([], limit=1):
            return
        aoki, = User.search([('login', '=', 'counselor1')])
        nishimura, = User.search([('login', '=', 'counselor2')])
        everyday = [str(d) for d in range(7)]
        for counselor, weekdays, start, end, methods in COUNSELING_HOURS:
            session_id, _, _ = Generate.create()
            generate = Generate(session_id)
            generate.start.counselor = {
                'counselor1': aoki, 'counselor2': nishimura}[counselor]
            generate.start.from_date = today - dt.timedelta(days=3)
            generate.start.to_date = today + dt.timedelta(days=13)
            generate.start.weekdays = weekdays or everyday
            generate.start.from_time = start
            generate.start.to_time = end
            generate.start.minutes = 60
            generate.start.methods = methods
            generate.start.kinds = ['career', 'job_introduction']
            generate.transition_generate()
            Generate.delete(session_id)
        self.created['counseling slot'] = Slot.search_count([])

        clients = Party.search([
                ('is_client', '=', True), ('line_user', '!=', None)],
            order=[('id', 'ASC')], limit=len(DEMO_BOOKINGS))
        for client, (days, hour, method, state) in zip(
                clients, DEMO_BOOKINGS):
            start = dt.datetime.combine(
                today + dt.timedelta(days=days), dt.time(hour))
            start -= dt.timedelta(hours=9)  # Japan to UTC
            slots = Slot.search([('start', '=', start), ('taken', '=', False)])
            slots = [s for s in slots if method in s.methods]
            if not slots:
                continue
            # Demo people are not on LINE: nobody to tell
            with Transaction().set_context(booking_from_line=True):
                booking, = Booking.create([{
                            'slot': slots[0].id, 'client': client.id,
                            'line_user': client.line_user.id,
                            'kind': 'career', 'method': method,
                            'source': 'line', 'confirmed': days < 1}])
            self.count('booking')
            if state == 'no_show':
                Booking.no_show([booking])
            elif state == 'done':
                record = Record.from_booking(booking)
                record.concerns = "子どもが小学校に上がるので、正社員で働けるか不安。"
                for step in record.steps[:5]:
                    step.covered = True
                record.notes = ("事務職の経験を活かしたい。保育の時間に合わせ、"
                    "9時〜16時の勤務を希望。")
                record.next_action = "求人票を一緒に確認する（職業紹介）"
                record.direction_clear = True
                record.save()
                Record.complete([record])
                self.count('counseling record')

    def summary(self, pool, LineUser, Session, JobOrder):
        Party = pool.get('party.party')
        User = pool.get('res.user')
        Seminar = pool.get('seminar.seminar')
        Child = pool.get('party.party.child')

        def states(Model):
            return ', '.join('%s %d' % (state, Model.search_count(
                            [('state', '=', state)]))
                for state, _ in Model.state.selection)

        counts = [
            ('clients', Party.search_count([('is_client', '=', True)])),
            ('children', Child.search_count([])),
            ('clients with LINE', Party.search_count(
                    [('is_client', '=', True), ('line_user', '!=', None)])),
            ('LINE users', '%d (%s)' % (
                    LineUser.search_count([]), states(LineUser))),
            ('employers', Party.search_count([('is_employer', '=', True)])),
            ('job orders', '%d (%s)' % (
                    JobOrder.search_count([]), states(JobOrder))),
            ('seminars', Seminar.search_count([])),
            ('rich menus', pool.get('line.rich_menu').search_count([])),
            ('friend-add sources', pool.get('line.source').search_count([])),
            ('inquiries', pool.get('line.inquiry').search_count([])),
            ('counseling slots', pool.get('counseling.slot').search_count(
                    [])),
            ('bookings', pool.get('counseling.booking').search_count([])),
            ('sessions', '%d (%s)' % (
                    Session.search_count([]), states(Session))),
            ('demo users', User.search_count(
                    [('login', 'in', [s[0] for s in STAFF])])),
            ]
        return counts


def load(database):
    "Load the demo data into database; return the loader and the counts"
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    pool = Pool(database)
    pool.init()
    # Like trytond's dispatcher: when a table must be locked (creating the
    # programme singleton), start again with that table locked up front.
    extras = {}
    while True:
        # active_test: find deactivated records too, so none is made twice
        with Transaction().start(database, 0, context={
                    'language': 'ja', 'active_test': False},
                **extras) as transaction:
            loader = Loader(pool)
            try:
                counts = loader.run()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            return loader, counts


def main():
    args = parse_args()
    import trytond.config as config
    config.update_etc(args.config)
    loader, counts = load(args.database)

    print("Demo data loaded into %r." % args.database)
    created = ', '.join('%s %d' % item for item in loader.created.items())
    print("Created this run: %s" % (created or "nothing (already loaded)"))
    print("Database now holds:")
    for label, value in counts:
        print("  %-18s %s" % (label, value))
    print("Demo logins (password: %s):" % DEMO_PASSWORD)
    for login, name, _, _ in STAFF:
        print("  %-13s %s" % (login, name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
