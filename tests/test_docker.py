# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Static checks of the production deployment in docker/.

No Docker engine and no Tryton needed: compose.yml is parsed with PyYAML and
every path it or the Dockerfile refers to must exist in the repository.
"""
import configparser
import json
import os
import shlex
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKER = os.path.join(ROOT, 'docker')
COMPOSE = os.path.join(DOCKER, 'compose.yml')
DOCKERFILE = os.path.join(DOCKER, 'Dockerfile')
TRYTON_SERVICES = ['server', 'cron', 'worker', 'init']


def command_words(command):
    "The words of a compose command, given as a string or a list"
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(w) for w in command]


def published_ports(service):
    "The container ports a service publishes (short or long syntax)"
    ports = set()
    for port in service.get('ports') or []:
        if isinstance(port, dict):
            target = str(port['target'])
        else:
            spec = str(port).split('/', 1)[0]
            target = spec.rsplit(':', 1)[-1]
        ports.add(int(target.split('-', 1)[0]))
    return ports


def dockerfile_instructions(path):
    "(instruction, arguments) of a Dockerfile, continuation lines joined"
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    instructions, current = [], ''
    for line in lines:
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith('#')):
            continue
        if stripped.endswith('\\'):
            current += stripped[:-1] + ' '
            continue
        current += stripped
        keyword, _, args = current.partition(' ')
        instructions.append((keyword.upper(), args.strip()))
        current = ''
    return instructions


class DockerTestCase(unittest.TestCase):
    "docker/compose.yml, Dockerfile and their files"

    @classmethod
    def setUpClass(cls):
        with open(COMPOSE, encoding='utf-8') as f:
            cls.compose = yaml.safe_load(f)
        cls.services = cls.compose['services']

    def test_compose_spec(self):
        "Compose spec: no version key, shared x-tryton settings"
        self.assertNotIn('version', self.compose)
        self.assertIn('x-tryton', self.compose)
        for name in TRYTON_SERVICES:
            with self.subTest(service=name):
                service = self.services[name]
                self.assertEqual(
                    service['build'], self.compose['x-tryton']['build'])
                self.assertIn(
                    'TRYTOND_DATABASE__URI', service['environment'])

    def test_services(self):
        "The stack's services exist"
        for name in ['postgres', 'server', 'cron', 'worker', 'proxy']:
            with self.subTest(service=name):
                self.assertIn(name, self.services)

    def test_cron_worker_commands(self):
        "cron runs trytond-cron and worker runs trytond-worker"
        cron = command_words(self.services['cron'].get('command'))
        worker = command_words(self.services['worker'].get('command'))
        self.assertEqual(cron[:1], ['trytond-cron'])
        self.assertIn('-d', cron)
        self.assertEqual(worker[:1], ['trytond-worker'])
        self.assertIn('-d', worker)

    def test_server_default_command(self):
        "server runs the image's default command (uwsgi)"
        self.assertNotIn('command', self.services['server'])
        self.assertNotIn('entrypoint', self.services['server'])

    def test_init_profile(self):
        "init is a one-shot service that runs trytond-admin"
        init = self.services['init']
        self.assertEqual(init['profiles'], ['init'])
        words = command_words(init['command'])
        self.assertIn('trytond-admin', ' '.join(words))
        self.assertIn('--all', ' '.join(words))

    def test_published_ports(self):
        "Only the proxy publishes ports: 80 and 443, never 8000"
        for name, service in self.services.items():
            if name != 'proxy':
                with self.subTest(service=name):
                    self.assertFalse(service.get('ports'))
        self.assertEqual(
            published_ports(self.services['proxy']), {80, 443})

    def test_postgres(self):
        "postgres has a health check and a volume; Tryton waits for it"
        postgres = self.services['postgres']
        self.assertIn('pg_isready', ' '.join(
                command_words(postgres['healthcheck']['test'])))
        self.assertTrue(postgres.get('volumes'))
        self.assertIn(
            'POSTGRES_PASSWORD', postgres['environment'])
        for name in TRYTON_SERVICES:
            with self.subTest(service=name):
                self.assertEqual(
                    self.services[name]['depends_on']['postgres'][
                        'condition'], 'service_healthy')

    def test_build_paths(self):
        "Every build context and Dockerfile exists"
        for name, service in self.services.items():
            build = service.get('build')
            if build is None:
                continue
            if isinstance(build, str):
                build = {'context': build}
            with self.subTest(service=name):
                context = os.path.normpath(
                    os.path.join(DOCKER, build.get('context', '.')))
                self.assertTrue(os.path.isdir(context), context)
                dockerfile = os.path.join(
                    context, build.get('dockerfile', 'Dockerfile'))
                self.assertTrue(os.path.isfile(dockerfile), dockerfile)

    def test_dockerfile_copy_sources(self):
        "Every COPY source of the Dockerfile exists in the repository"
        copies = [args for keyword, args in dockerfile_instructions(
                DOCKERFILE) if keyword == 'COPY']
        self.assertTrue(copies)
        for args in copies:
            if args.startswith('['):
                words = json.loads(args)
            else:
                words = [w for w in args.split() if not w.startswith('--')]
            sources = words[:-1]
            self.assertTrue(sources, args)
            for source in sources:
                with self.subTest(source=source):
                    self.assertTrue(
                        os.path.exists(os.path.join(ROOT, source)), source)

    def test_dockerfile(self):
        "FROM the official 8.0 image, back to user trytond at the end"
        instructions = dockerfile_instructions(DOCKERFILE)
        self.assertEqual(instructions[0], ('FROM', 'tryton/tryton:8.0'))
        users = [args for keyword, args in instructions if keyword == 'USER']
        self.assertEqual(users[-1], 'trytond')
        runs = ' '.join(
            args for keyword, args in instructions if keyword == 'RUN')
        self.assertIn('--break-system-packages', runs)
        self.assertNotIn(' -e ', runs)

    def test_bind_mounts(self):
        "Every file mounted from the repository exists"
        for name, service in self.services.items():
            for volume in service.get('volumes') or []:
                if isinstance(volume, dict):
                    if volume.get('type') != 'bind':
                        continue
                    source = volume['source']
                else:
                    source = volume.split(':', 1)[0]
                    if not source.startswith(('.', '/', '~')):
                        continue  # a named volume
                with self.subTest(service=name, source=source):
                    self.assertTrue(os.path.exists(
                            os.path.join(DOCKER, source)), source)

    def test_trytond_conf(self):
        "trytond.conf holds no database URI and the required settings"
        config = configparser.ConfigParser(interpolation=None)
        config.read(os.path.join(DOCKER, 'trytond.conf'), encoding='utf-8')
        self.assertFalse(config.has_option('database', 'uri'))
        self.assertEqual(config.get('web', 'listen'), '0.0.0.0:8000')
        self.assertEqual(config.get('web', 'root'), '/var/lib/trytond/www')
        self.assertEqual(
            config.get('database', 'path'), '/var/lib/trytond/db')
        self.assertEqual(config.getint('session', 'timeout'), 1800)
        self.assertEqual(config.getint('password', 'length'), 12)
        self.assertTrue(config.getboolean('queue', 'worker'))

    def test_caddyfile_headers(self):
        "Caddy adds the security headers and proxies to server:8000"
        with open(os.path.join(DOCKER, 'Caddyfile'), encoding='utf-8') as f:
            caddyfile = f.read()
        for text in [
                '{$SITE_DOMAIN}',
                'reverse_proxy server:8000',
                'Strict-Transport-Security '
                '"max-age=31536000; includeSubDomains"',
                'X-Content-Type-Options "nosniff"',
                'Referrer-Policy "no-referrer"',
                ]:
            with self.subTest(text=text):
                self.assertIn(text, caddyfile)


    def test_https_only(self):
        "Plain HTTP only redirects; TLS site with HSTS; no backend exposed"
        import re
        with open(os.path.join(DOCKER, 'Caddyfile'), encoding='utf-8') as f:
            caddyfile = f.read()
        code = '\n'.join(line.split('#', 1)[0]
            for line in caddyfile.splitlines())
        blocks = dict(re.findall(
                r'^(\S[^\n]*?)\s*\{\n(.*?)^\}', code, re.M | re.S))
        self.assertEqual(set(blocks), {
                'http://{$SITE_DOMAIN}', 'https://{$SITE_DOMAIN}'})
        redirect = blocks['http://{$SITE_DOMAIN}'].split()
        self.assertEqual(redirect, [
                'redir', 'https://{host}{uri}', 'permanent'])
        site = blocks['https://{$SITE_DOMAIN}']
        self.assertIn('Strict-Transport-Security "max-age=31536000', site)
        self.assertNotIn('tls off', code)
        self.assertNotIn('auto_https off', code)
        # The only upstream is the Tryton server on the internal network
        self.assertEqual(
            re.findall(r'reverse_proxy\s+(\S+)', code), ['server:8000'])
        self.assertIn('header_up X-Forwarded-Proto {scheme}', site)
        # The server is reached only through the proxy network
        server = self.services['server']
        self.assertFalse(server.get('ports'))
        self.assertEqual(set(server['networks']), {'backend', 'proxy'})
        self.assertEqual(self.services['proxy']['networks'], ['proxy'])
        self.assertTrue(self.compose['networks']['backend']['internal'])
        config = configparser.ConfigParser(interpolation=None)
        config.read(os.path.join(DOCKER, 'trytond.conf'), encoding='utf-8')
        self.assertEqual(config.getint('web', 'num_proxies'), 1)

    def test_security_settings(self):
        "Password policy and login throttling in trytond.conf"
        config = configparser.ConfigParser(interpolation=None)
        config.read(os.path.join(DOCKER, 'trytond.conf'), encoding='utf-8')
        self.assertGreaterEqual(config.getfloat('password', 'entropy'), 0.5)
        self.assertEqual(config.getint('session', 'max_attempt'), 5)
        self.assertLessEqual(config.getint('session', 'max_age'), 43200)
        forbidden = config.get('password', 'forbidden')
        copies = [args.split() for keyword, args in dockerfile_instructions(
                DOCKERFILE) if keyword == 'COPY']
        self.assertIn(
            ['docker/password-forbidden.txt', forbidden], copies)

    def test_backup_service(self):
        "The backup service runs sakai-backup into its own volume"
        backup = self.services['backup']
        self.assertEqual(backup['profiles'], ['backup'])
        words = command_words(backup['command'])
        self.assertEqual(words[:2], ['sakai-backup', 'backup'])
        self.assertIn('filestore:/var/lib/trytond/db:ro', backup['volumes'])
        self.assertIn('backups', self.compose['volumes'])
        self.assertFalse(backup.get('ports'))


if __name__ == '__main__':
    unittest.main()
