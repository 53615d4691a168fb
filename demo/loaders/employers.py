# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The employers the coordinators developed, most of them friendly to
single parents"""
import datetime as dt

from .tools import pick_phone

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


def plan(rng, today):
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
    return employers


def load(context):
    coordinators = [
        context.staff['coordinator1'], context.staff['coordinator2']]
    for employer in context.planned['employers']:
        party, _ = context.get_or_create('party.party', [
                ('name', '=', employer['name']),
                ('is_employer', '=', True),
                ], {
                'name': employer['name'],
                'is_employer': True,
                'industry': employer['industry'],
                'employees': employer['employees'],
                'developed_by': coordinators[employer['developed_by']].id,
                'developed_on': employer['developed_on'],
                'single_parent_friendly': employer['single_parent_friendly'],
                'employer_note': employer['employer_note'],
                'lang': context.ja.id,
                'contact_mechanisms': [('create', [{
                                'type': 'phone',
                                'value': employer['phone'],
                                }])],
                }, 'employer')
        context.employers.append(party)


def summary(context):
    Party = context.pool.get('party.party')
    return [('employers', Party.search_count([('is_employer', '=', True)]))]
