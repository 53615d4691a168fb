# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The LINE message objects every module sends, built in one place with
LINE's limits (Messaging API reference: text, quick reply, postback
action, Flex carousel)."""

# LINE: a text message holds at most 5,000 characters
MAX_TEXT = 5000
# LINE: a quick reply holds at most 13 items
MAX_QUICK_REPLY = 13
# LINE: the label of a quick reply or button
MAX_LABEL = 20
# LINE: what a postback shows as the person's message
MAX_DISPLAY_TEXT = 300
# LINE: a carousel holds at most 12 bubbles
MAX_BUBBLES = 12
# LINE: a Flex message's alternative text
MAX_ALT_TEXT = 400


def text_message(text, quick_reply=None):
    "A text message, with quick replies when given"
    message = {'type': 'text', 'text': text[:MAX_TEXT]}
    if quick_reply:
        message['quickReply'] = {'items': quick_reply[:MAX_QUICK_REPLY]}
    return message


def postback_action(label, data, display_text=None, max_label=MAX_LABEL):
    "A postback action: tapped, it sends data and shows display_text"
    return {
        'type': 'postback', 'label': label[:max_label], 'data': data,
        'displayText': (display_text or label)[:MAX_DISPLAY_TEXT]}


def quick_postback(label, data, display_text=None):
    "A quick reply item that sends a postback"
    return {'type': 'action',
        'action': postback_action(label, data, display_text)}


def carousel(alt_text, bubbles):
    "A Flex carousel of at most 12 bubbles"
    return {
        'type': 'flex',
        'altText': alt_text[:MAX_ALT_TEXT],
        'contents': {
            'type': 'carousel', 'contents': bubbles[:MAX_BUBBLES]},
        }


def postback_button(label, data, display_text=None, color='#06c755'):
    "A Flex button that sends a postback"
    return {
        'type': 'button', 'style': 'primary', 'color': color,
        'height': 'sm',
        'action': postback_action(label, data, display_text),
        }
