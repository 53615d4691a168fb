# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"The employers' job orders: drafts, open ones and a few already filled"
import datetime as dt

from .tools import states

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

# The ward of each employer, by index in employers.EMPLOYERS
EMPLOYERS_LOCATION = {
    0: '堺市北区', 1: '堺市南区', 2: '堺市西区', 3: '堺市北区',
    4: '堺市堺区', 5: '堺市北区', 6: '堺市堺区', 7: '堺市中区',
    8: '堺市堺区', 9: '堺市美原区',
    }


def plan(rng, today, employers):
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
    return orders


def load(context):
    JobOrder = context.pool.get('job.order')
    coordinators = [
        context.staff['coordinator1'], context.staff['coordinator2']]
    to_open, to_fill = [], []
    for order in context.planned['job_orders']:
        employer = context.employers[order['employer']]
        values = {k: v for k, v in order.items()
            if k not in {'state', 'employer', 'coordinator'}}
        values['employer'] = employer.id
        values['coordinator'] = coordinators[order['coordinator']].id
        job, created = context.get_or_create('job.order', [
                ('title', '=', order['title']),
                ('employer', '=', employer.id),
                ], values, 'job order')
        if not created:
            continue
        if order['state'] in {'open', 'filled'}:
            to_open.append(job)
        if order['state'] == 'filled':
            to_fill.append(job)
    if to_open:
        JobOrder.open(to_open)
    if to_fill:
        JobOrder.fill(to_fill)


def summary(context):
    return [('job orders', states(context.pool.get('job.order')))]
