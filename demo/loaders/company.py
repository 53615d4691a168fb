# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The organisation running the service: Japan, the yen, the company,
and Japanese for the administrator and by default"""
from decimal import Decimal

COMPANY_NAME = '一般社団法人さかい就労サポート（デモ）'


def load(context):
    pool = context.pool
    context.japan, _ = context.get_or_create('country.country',
        [('code', '=', 'JP')], {
            'code': 'JP', 'code3': 'JPN', 'code_numeric': '392',
            'name': '日本',
            }, 'country')
    jpy, _ = context.get_or_create('currency.currency',
        [('code', '=', 'JPY')], {
            'code': 'JPY', 'name': '日本円', 'symbol': '¥',
            'digits': 0, 'rounding': Decimal('1'),
            'numeric_code': '392',
            }, 'currency')

    Company = pool.get('company.company')
    companies = Company.search([('party.name', '=', COMPANY_NAME)], limit=1)
    if companies:
        company, = companies
        if company.timezone != 'Asia/Tokyo':
            # The programme's dates and hours are its company's timezone's
            Company.write([company], {'timezone': 'Asia/Tokyo'})
    else:
        party, _ = context.get_or_create('party.party',
            [('name', '=', COMPANY_NAME)], {'name': COMPANY_NAME},
            'company party')
        company, = Company.create([{
                    'party': party.id,
                    'currency': jpy.id,
                    'timezone': 'Asia/Tokyo',
                    }])
        context.count('company')
    context.company = company

    Lang = pool.get('ir.lang')
    context.ja, = Lang.search([('code', '=', 'ja')], limit=1)
    Configuration = pool.get('ir.configuration')
    configuration = Configuration(1)
    if configuration.language != 'ja':
        Configuration.write([configuration], {'language': 'ja'})

    User = pool.get('res.user')
    admin, = User.search([('login', '=', 'admin')], limit=1)
    admin_values = {}
    if admin.language != context.ja:
        admin_values['language'] = context.ja.id
    if company not in admin.companies:
        admin_values['companies'] = [('add', [company.id])]
    if admin.company != company:
        admin_values['company'] = company.id
    if admin_values:
        User.write([admin], admin_values)
