# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Rich menus: the menu under the chat, edited here and uploaded to LINE.

LINE's rich menus cannot be changed once created: uploading an edited menu
creates a new one on LINE, moves the default and the people linked to it
over, and deletes the old one.
"""
import io
import logging
import re

from linebot.v3.messaging import (
    MessagingApi, MessagingApiBlob, RichMenuBulkLinkRequest,
    RichMenuBulkUnlinkRequest, RichMenuRequest)
from PIL import Image, ImageDraw, ImageFont

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice
from trytond.transaction import without_check_access

from .configuration import utcnow
from .exceptions import LineUnreachable, RichMenuValidationError
from .message import REQUEST_TIMEOUT, OutboundCall

logger = logging.getLogger(__name__)

WIDTH = 2500
HEIGHTS = {'large': 1686, 'compact': 843}
# LINE's own templates: (size, columns, rows)
LAYOUTS = {
    'large_6': ('large', 3, 2),
    'large_4': ('large', 2, 2),
    'large_2': ('large', 2, 1),
    'large_1': ('large', 1, 1),
    'compact_3': ('compact', 3, 1),
    'compact_2': ('compact', 2, 1),
    'compact_1': ('compact', 1, 1),
    }
MAX_AREAS = 20
MAX_IMAGE_BYTES = 1024 * 1024
MAX_BULK = 500
# LINE's limit for postback data and action texts
MAX_TEXT = 300
URI = re.compile(r'^(https?|tel|line)://?\S+$')
# Fonts tried in order to draw Japanese labels (Debian: fonts-noto-cjk)
FONTS = [
    'NotoSansCJK-Bold.ttc', 'NotoSansCJK-Regular.ttc',
    'NotoSansCJKjp-Bold.otf', 'NotoSansJP-Bold.otf',
    'NotoSansJP-Regular.otf', 'ipaexg.ttf', 'ipag.ttf',
    ]
PALETTE = ['#06c755', '#1f8f5f', '#2d6a4f', '#40916c', '#52b788', '#4f7c6a']


class RichMenu(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'line.rich_menu'
    __string__ = "LINE Rich Menu"

    name = fields.Char("Name", required=True,
        help="For staff; LINE users do not see it.")
    code = fields.Char("Code",
        help="Used by rules (e.g. the registration diagnosis) "
        "to choose this menu.")
    chat_bar_text = fields.Char("Menu Bar Text", required=True, size=14,
        help="Shown on the bar that opens the menu (at most 14 characters).")
    selected = fields.Boolean("Open by Default",
        help="Show the menu open when the chat is opened.")
    layout = fields.Selection([
            ('large_6', "Large, 6 areas (3 × 2)"),
            ('large_4', "Large, 4 areas (2 × 2)"),
            ('large_2', "Large, 2 areas (2 × 1)"),
            ('large_1', "Large, 1 area"),
            ('compact_3', "Compact, 3 areas (3 × 1)"),
            ('compact_2', "Compact, 2 areas (2 × 1)"),
            ('compact_1', "Compact, 1 area"),
            ], "Layout", required=True, sort=False)
    areas = fields.One2Many('line.rich_menu.area', 'menu', "Areas")
    image = fields.Binary("Image", filename='image_filename',
        help="PNG or JPEG of 2500 × 1686 (large) or 2500 × 843 (compact) "
        "pixels, at most 1 MB. Leave empty to draw one from the labels.")
    image_filename = fields.Char("Image File Name")
    line_rich_menu_id = fields.Char("LINE Rich Menu ID", readonly=True)
    uploaded_at = fields.DateTime("Uploaded At", readonly=True)
    changed = fields.Boolean("Changed Since Upload", readonly=True)
    is_default = fields.Boolean("Default", readonly=True,
        help="Shown to everyone who has no menu of their own.")
    state = fields.Function(fields.Selection([
                ('draft', "Not Uploaded"),
                ('changed', "Changed Since Upload"),
                ('uploaded', "Uploaded"),
                ], "State"), 'get_state')
    users = fields.One2Many('line.user', 'rich_menu', "Linked Users",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'sakai_line.msg_rich_menu_code_unique'),
            ]
        cls._buttons.update({
                'draw_image': {},
                'upload': {},
                'set_default': {
                    'invisible': Bool(Eval('is_default')),
                    'readonly': ~Eval('line_rich_menu_id'),
                    'depends': ['is_default', 'line_rich_menu_id'],
                    },
                })

    @classmethod
    def default_layout(cls):
        return 'large_6'

    @classmethod
    def default_selected(cls):
        return True

    @classmethod
    def default_changed(cls):
        return False

    @classmethod
    def default_is_default(cls):
        return False

    def get_state(self, name):
        if not self.line_rich_menu_id:
            return 'draft'
        return 'changed' if self.changed else 'uploaded'

    @property
    def size(self):
        size, _, _ = LAYOUTS[self.layout]
        return {'width': WIDTH, 'height': HEIGHTS[size]}

    def cells(self):
        "The bounds of each cell of the layout, left to right, top to bottom"
        size, columns, rows = LAYOUTS[self.layout]
        height = HEIGHTS[size]
        cells = []
        for row in range(rows):
            for column in range(columns):
                x = WIDTH * column // columns
                y = height * row // rows
                cells.append({
                        'x': x, 'y': y,
                        'width': WIDTH * (column + 1) // columns - x,
                        'height': height * (row + 1) // rows - y,
                        })
        return cells

    def as_line(self):
        "The rich menu object of LINE's Messaging API"
        return {
            'size': self.size,
            'selected': bool(self.selected),
            'name': self.name,
            'chatBarText': self.chat_bar_text,
            'areas': [
                {'bounds': bounds, 'action': area.as_line()}
                for area, bounds in zip(self.areas, self.cells())],
            }

    @classmethod
    def validate(cls, menus):
        super().validate(menus)
        for menu in menus:
            menu.check_areas()
            menu.check_image()

    def check_areas(self):
        cells = len(self.cells())
        if len(self.areas) > min(cells, MAX_AREAS):
            raise RichMenuValidationError(gettext(
                    'sakai_line.msg_rich_menu_too_many_areas',
                    menu=self.rec_name, areas=len(self.areas), cells=cells))

    def check_image(self):
        if not self.image:
            return
        image = bytes(self.image)
        if len(image) > MAX_IMAGE_BYTES:
            raise RichMenuValidationError(gettext(
                    'sakai_line.msg_rich_menu_image_too_big',
                    menu=self.rec_name, size=len(image) // 1024))
        try:
            with Image.open(io.BytesIO(image)) as picture:
                kind, dimensions = picture.format, picture.size
        except Exception:
            kind, dimensions = None, None
        size = self.size
        if (kind not in {'PNG', 'JPEG'}
                or dimensions != (size['width'], size['height'])):
            raise RichMenuValidationError(gettext(
                    'sakai_line.msg_rich_menu_image_format',
                    menu=self.rec_name,
                    width=size['width'], height=size['height']))

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for menus, values in zip(actions, actions):
            if set(values) - {'line_rich_menu_id', 'uploaded_at', 'changed',
                    'is_default', 'active'}:
                values.setdefault('changed', True)
        super().write(*args)

    @classmethod
    def copy(cls, menus, default=None):
        default = default.copy() if default is not None else {}
        for name in ['line_rich_menu_id', 'uploaded_at', 'code']:
            default.setdefault(name, None)
        default.setdefault('is_default', False)
        default.setdefault('changed', False)
        return super().copy(menus, default=default)

    def render(self):
        "Draw a PNG of the layout with each area's label"
        picture = Image.new('RGB',
            (self.size['width'], self.size['height']), 'white')
        draw = ImageDraw.Draw(picture)
        size = 110 if len(self.cells()) > 1 else 140
        labels = [a.label or '' for a in self.areas]
        for index, cell in enumerate(self.cells()):
            font = _font(size)
            box = (cell['x'], cell['y'],
                cell['x'] + cell['width'] - 1, cell['y'] + cell['height'] - 1)
            draw.rectangle(box, fill=PALETTE[index % len(PALETTE)],
                outline='white', width=8)
            if index < len(labels) and labels[index]:
                # Long labels get a smaller font to stay in their cell
                room = cell['width'] * 0.9
                length = draw.textlength(labels[index], font=font)
                if length > room:
                    font = _font(max(40, int(size * room / length)))
                draw.text(
                    (cell['x'] + cell['width'] / 2,
                        cell['y'] + cell['height'] / 2),
                    labels[index], fill='white', font=font, anchor='mm')
        output = io.BytesIO()
        picture.save(output, format='PNG', optimize=True)
        return output.getvalue()

    @classmethod
    @ModelView.button
    def draw_image(cls, menus):
        for menu in menus:
            menu.image = menu.render()
            menu.image_filename = 'rich-menu-%s.png' % (menu.code or menu.id)
        cls.save(menus)

    @classmethod
    @ModelView.button
    def upload(cls, menus):
        """Create each menu on LINE with its image; a menu uploaded before
        is replaced: its default and linked users move to the new one."""
        pool = Pool()
        Configuration = pool.get('line.configuration')
        LineUser = pool.get('line.user')
        for menu in menus:
            image = bytes(menu.image) if menu.image else menu.render()
            content_type = ('image/jpeg' if image[:3] == b'\xff\xd8\xff'
                else 'image/png')
            old_id = menu.line_rich_menu_id
            with _line_call():
                with Configuration.api_client() as client:
                    api = MessagingApi(client)
                    new_id = api.create_rich_menu(
                        RichMenuRequest.from_dict(menu.as_line()),
                        _request_timeout=10).rich_menu_id
                with Configuration.api_client(data=True) as client:
                    MessagingApiBlob(client).set_rich_menu_image(
                        new_id, image, _request_timeout=30,
                        _headers={'Content-Type': content_type})
            menu.line_rich_menu_id = new_id
            menu.uploaded_at = utcnow()
            menu.changed = False
            menu.save()
            if old_id:
                if menu.is_default:
                    cls.set_default([menu])
                LineUser.link_line_rich_menu(menu.users, menu)
                with _line_call(quiet=True):
                    with Configuration.api_client() as client:
                        MessagingApi(client).delete_rich_menu(
                            old_id, _request_timeout=10)

    @classmethod
    @ModelView.button
    def set_default(cls, menus):
        "Make the menu the one everyone without a menu of their own sees"
        pool = Pool()
        Configuration = pool.get('line.configuration')
        if not menus:
            return
        menu = menus[-1]
        if not menu.line_rich_menu_id:
            cls.upload([menu])
        with _line_call():
            with Configuration.api_client() as client:
                MessagingApi(client).set_default_rich_menu(
                    menu.line_rich_menu_id, _request_timeout=10)
        others = cls.search([
                ('is_default', '=', True), ('id', '!=', menu.id),
                ('active', 'in', [True, False]),
                ])
        if others:
            cls.write(others, {'is_default': False})
        cls.write([menu], {'is_default': True})

    @classmethod
    def resync(cls):
        """Create the active menus on LINE (again): at set-up, after moving
        to another channel, or when LINE (or its stand-in) lost them.  Without a default menu,
        the one coded 'default' becomes it."""
        # All of them: a menu the diagnosis switches to must be ready
        cls.upload(cls.search([]))
        if not cls.search([('is_default', '=', True)]):
            default = cls.get_by_code('default')
            if default:
                cls.set_default([default])

    @classmethod
    def get_by_code(cls, code):
        "The active menu with this code, or None"
        menus = cls.search([('code', '=', code)], limit=1)
        return menus[0] if menus else None


class Area(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'line.rich_menu.area'
    __string__ = "LINE Rich Menu Area"

    menu = fields.Many2One('line.rich_menu', "Rich Menu", required=True,
        ondelete='CASCADE')
    label = fields.Char("Label", required=True, size=20,
        help="Drawn on the menu image and read out by screen readers.")
    action = fields.Selection([
            ('postback', "Start a Feature"),
            ('message', "Send a Message"),
            ('uri', "Open a Link"),
            ], "Action", required=True, sort=False)
    data = fields.Char("Feature",
        states={
            'invisible': Eval('action') != 'postback',
            'required': Eval('action') == 'postback',
            },
        help="What the tap starts, e.g. menu=booking, menu=jobs, menu=faq, "
        "menu=mypage, menu=diagnosis.")
    text = fields.Char("Text",
        states={
            'required': Eval('action') == 'message',
            'invisible': Eval('action') == 'uri',
            },
        help="The message sent for the person (shown in the chat).")
    uri = fields.Char("Link",
        states={
            'invisible': Eval('action') != 'uri',
            'required': Eval('action') == 'uri',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('menu')

    @classmethod
    def default_action(cls):
        return 'postback'

    def as_line(self):
        "The action of the area, as LINE's Messaging API takes it"
        if self.action == 'postback':
            action = {'type': 'postback', 'label': self.label,
                'data': self.data}
            if self.text:
                action['displayText'] = self.text
        elif self.action == 'message':
            action = {'type': 'message', 'label': self.label,
                'text': self.text}
        else:
            action = {'type': 'uri', 'label': self.label, 'uri': self.uri}
        return action

    @classmethod
    def validate_fields(cls, areas, field_names):
        super().validate_fields(areas, field_names)
        for area in areas:
            for name in ['data', 'text']:
                value = getattr(area, name) or ''
                if len(value) > MAX_TEXT:
                    raise RichMenuValidationError(gettext(
                            'sakai_line.msg_rich_menu_area_too_long',
                            label=area.label, maximum=MAX_TEXT))
            if area.action == 'uri' and not URI.match(area.uri or ''):
                raise RichMenuValidationError(gettext(
                        'sakai_line.msg_rich_menu_uri', uri=area.uri))


class Link(OutboundCall, ModelSQL, ModelView):
    """Which menu LINE shows one person, to be told LINE: a call of the
    outbound queue (see message.OutboundCall), tried again while LINE
    cannot be reached.  One link at most waits per person: a newer one
    replaces it."""
    __name__ = 'line.rich_menu.link'
    __string__ = "LINE Rich Menu Link"

    line_user = fields.Many2One('line.user', "LINE User", required=True,
        readonly=True, ondelete='CASCADE')
    rich_menu = fields.Many2One('line.rich_menu', "Rich Menu",
        readonly=True, ondelete='SET NULL',
        help="Empty: back to the default menu.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.line_user, Index.Equality())))
        cls._order.insert(0, ('id', 'DESC'))

    @classmethod
    def request(cls, users, menu):
        """Link the users to menu on LINE (None: back to the default menu)
        through the outbound queue, trying at once; return the links"""
        users = list({u.id: u for u in users}.values())
        if not users:
            return []
        with without_check_access():
            waiting = {}
            for ids in grouped_slice([u.id for u in users]):
                for link in cls.search([
                            ('line_user', 'in', list(ids)),
                            ('state', '=', 'pending'),
                            ]):
                    waiting[link.line_user.id] = link
            links = []
            for user in users:
                link = waiting.get(user.id) or cls(line_user=user)
                # What LINE shows now is the latest choice: a fresh series
                link.rich_menu = menu
                link.attempts = 0
                link.first_attempt_at = link.next_attempt_at = None
                link.error = None
                links.append(link)
            cls.save(links)
            cls.deliver(links)
        return links

    @classmethod
    def deliver(cls, links):
        """Make the calls of the due links: one per person, or one per
        MAX_BULK people linked to the same menu"""
        Configuration = Pool().get('line.configuration')
        links = cls.due(links)
        if not links:
            return
        groups = {}
        for link in links:
            groups.setdefault(
                link.rich_menu.id if link.rich_menu else None,
                []).append(link)
        with without_check_access(), \
                Configuration.api_client() as client:
            api = MessagingApi(client)
            for group in groups.values():
                for i in range(0, len(group), MAX_BULK):
                    cls._link(api, group[i:i + MAX_BULK])

    @classmethod
    def _link(cls, api, links):
        menu = links[0].rich_menu
        rich_menu_id = menu.line_rich_menu_id if menu else None
        if menu and not rich_menu_id:
            return cls._failed(links, ValueError(
                    "rich menu %s is not uploaded to LINE" % menu.id))
        line_ids = [link.line_user.line_id for link in links]
        options = {'_request_timeout': REQUEST_TIMEOUT}
        if len(line_ids) == 1:
            user_id, = line_ids
            if rich_menu_id:
                method = 'link'

                def request():
                    return api.link_rich_menu_id_to_user_with_http_info(
                        user_id, rich_menu_id, **options)
            else:
                method = 'unlink'

                def request():
                    return api.unlink_rich_menu_id_from_user_with_http_info(
                        user_id, **options)
        elif rich_menu_id:
            method = 'bulk_link'

            def request():
                return api.link_rich_menu_id_to_users_with_http_info(
                    RichMenuBulkLinkRequest(
                        rich_menu_id=rich_menu_id, user_ids=line_ids),
                    **options)
        else:
            method = 'bulk_unlink'

            def request():
                return api.unlink_rich_menu_id_from_users_with_http_info(
                    RichMenuBulkUnlinkRequest(user_ids=line_ids), **options)
        cls._call(links, method, request)


def _font(size):
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    logger.warning("No Japanese font found for rich menu images "
        "(install fonts-noto-cjk)")
    return ImageFont.load_default(size)


class _line_call:
    "Turn LINE API errors into a user error (or a log line when quiet)"

    def __init__(self, quiet=False):
        self.quiet = quiet

    def __enter__(self):
        return self

    def __exit__(self, kind, exception, tb):
        if exception is None or not isinstance(exception, Exception):
            return False
        if self.quiet:
            logger.warning("LINE call failed: %s", exception)
            return True
        raise LineUnreachable(gettext(
                'sakai_line.msg_line_unreachable',
                error=str(exception)[:200])) from exception
