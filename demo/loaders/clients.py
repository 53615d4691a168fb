# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The clients: single parents, their children, young people looking for
a first job, people considering divorce; each with her consents"""
import datetime as dt

from .tools import valid_phone

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


# Consents the demo clients gave at registration (ledger purposes)
CONSENT_PURPOSES = ['statistics', 'employer_sharing', 'employer_feedback']


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


def plan(rng, today):
    "Draw the clients (and when each would have added the LINE account)"
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
    return clients


def load(context):
    pool = context.pool
    Party = pool.get('party.party')
    purposes = {p.code: p for p in pool.get(
            'party.consent.purpose').search([])}
    counselors = [context.staff['counselor1'], context.staff['counselor2']]
    for client in context.planned['clients']:
        line_user = context.line_users.get(client.get('line_id'))
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
            'lang': context.ja.id,
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
                        dict(client['address'], country=context.japan.id)])]
        Party.create([values])
        context.count('client')
        context.count('child', len(client['children']))


def summary(context):
    Party = context.pool.get('party.party')
    Child = context.pool.get('party.party.child')
    return [
        ('clients', Party.search_count([('is_client', '=', True)])),
        ('children', Child.search_count([])),
        ('clients with LINE', Party.search_count(
                [('is_client', '=', True), ('line_user', '!=', None)])),
        ]
