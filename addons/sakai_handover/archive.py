# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Files with personal data that leave the server are password zips
(Sakai spec §11(10)).

The format is a zip whose entries are encrypted with AES-256 (WinZip AE-2,
written with ``pyzipper``): 7-Zip (Windows, free), ``7z``/``7zz`` (Linux,
macOS) and the ``zipfile``-compatible ``pyzipper`` open it with the
passphrase.  Windows Explorer's built-in zip cannot (it only knows the
weak ZipCrypto), which is why docs/handover.md names 7-Zip.

Outside demo mode (``[sakai_line] demo``) nothing is written without a
passphrase.  Commands read it from an environment variable or a file,
never from their arguments (which other users see in the process list).
"""
import io
import os

import pyzipper

MIN_LENGTH = 12


class PassphraseError(Exception):
    "No usable passphrase where one is needed (message in Japanese)"


def check_passphrase(passphrase):
    "Refuse a passphrase too short to protect personal data"
    if passphrase is not None and len(passphrase) < MIN_LENGTH:
        raise PassphraseError(
            "パスワードは %d 文字以上にしてください。" % MIN_LENGTH)
    return passphrase


def read_passphrase(env_name, path=None, environ=None):
    """The passphrase from the file at path (first line), else from the
    environment variable env_name; None when neither is set"""
    environ = os.environ if environ is None else environ
    if path:
        with open(path, encoding='utf-8') as fp:
            passphrase = fp.readline().rstrip('\r\n')
    else:
        passphrase = environ.get(env_name) or None
    return check_passphrase(passphrase)


def require(passphrase, demo, what):
    """Refuse to write `what` unencrypted outside demo mode; return whether
    it is encrypted"""
    if passphrase:
        check_passphrase(passphrase)
        return True
    if not demo:
        raise PassphraseError(
            "%sは個人情報を含むため、パスワードなしでは書き出せません"
            "（仕様書 11(10)）。パスワードを設定してください。" % what)
    return False


def writer(fileobj, passphrase=None):
    """A zip file to write into: entries AES-256 encrypted when a
    passphrase is given"""
    if passphrase:
        archive = pyzipper.AESZipFile(fileobj, 'w',
            compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES)
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.setpassword(passphrase.encode('utf-8'))
    else:
        archive = pyzipper.ZipFile(fileobj, 'w', pyzipper.ZIP_DEFLATED)
    return archive


def reader(fileobj, passphrase=None):
    "A zip file to read, encrypted or not"
    archive = pyzipper.AESZipFile(fileobj)
    if passphrase:
        archive.setpassword(passphrase.encode('utf-8'))
    return archive


def is_encrypted(archive):
    return any(info.flag_bits & 0x1 for info in archive.infolist())


def read_entry(archive, name):
    "The content of name; PassphraseError when the passphrase is missing"
    try:
        return archive.read(name)
    except RuntimeError as exception:
        if 'password' in str(exception).lower():
            if archive.pwd:
                raise PassphraseError("パスワードが違います。")
            raise PassphraseError(
                "パスワード付きのファイルです。パスワードを指定してください。")
        raise


def encrypted_zip(files, passphrase):
    "{name: bytes} as the bytes of a password zip"
    content = io.BytesIO()
    with writer(content, passphrase) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return content.getvalue()
