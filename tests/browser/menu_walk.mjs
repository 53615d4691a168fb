// Walk every menu entry a staff member sees and collect what would read as
// English or as a technical identifier: headings, labels, tabs, buttons,
// graph axes and selection values.
// Usage: node menu_walk.mjs URL DATABASE PASSWORD LOGIN [LOGIN...]
// Prints one JSON object: {LOGIN: {menus: N, records: N, findings: [...]}}
// where a finding is {menu, view, what, text, rule}.
// The logins are walked at once, each in its own browser context.
import { launch, login } from './sao.mjs';

const [url, database, password, ...logins] = process.argv.slice(2);

// Words staff may read in Latin letters besides acronyms (CSV, LINE…):
// names of formats and tools that the screens explain
const ALLOWED = new Set(['No', 'Web', 'Things', 'zip', 'Zip', 'Shift']);

// What a label may not say, and why
function labelRules(text) {
    const found = [];
    if (/Tryton/i.test(text)) {
        found.push('Tryton');
    }
    if (/\[[A-Z]{3}\]/.test(text)) {
        found.push('currency code');
    }
    if (/VIES/.test(text)) {
        found.push('EU VAT check');
    }
    // file names (schema.json, README.txt) are what they are
    const plain = text.replace(/[\w-]+\.(json|txt|csv|zip|sha256|ods|pdf)\b/g, '');
    if (/\b[a-z][a-z0-9]*_[a-z0-9_]+\b/.test(plain)) {
        found.push('snake_case');
    }
    const words = (plain.match(/[A-Za-z]+/g) || []).filter(
        w => !/^[A-Z0-9]+$/.test(w) && !ALLOWED.has(w));
    if (words.length) {
        found.push('English: ' + words.join(' '));
    }
    return found;
}

// A value that is a key, not a label: full_time, message, Root
function valueRules(text) {
    const found = [];
    if (/^[a-z]+(_[a-z0-9]+)+$/.test(text)) {
        found.push('snake_case value');
    } else if (/^[a-z][a-zA-Z]+$/.test(text)) {
        found.push('key value');
    }
    if (/^(Root|Administrator)$/.test(text)) {
        found.push('technical user');
    }
    return found;
}

// Runs in the page: what the current tab (or wizard dialog) shows
function collect() {
    const visible = el => el.offsetParent !== null
        || (el.getClientRects && el.getClientRects().length > 0);
    const text = el => (el.innerText || el.textContent || '')
        .replace(/\s+/g, ' ').trim();
    const modal = jQuery('.modal.in').last();
    const root = modal.length ? modal[0]
        : jQuery('#tabcontent .tab-pane.active')[0];
    const tab = Sao.Tab.tabs.get_current();
    const result = {labels: [], values: [], duplicates: [],
        model: (!modal.length && tab && tab.screen) ? tab.screen.model_name
            : ''};
    if (!root) {
        return result;
    }
    const add = (kind, el) => {
        const t = text(el);
        if (t && visible(el)) {
            result.labels.push([kind, t]);
        }
    };
    root.querySelectorAll('label, legend, .form-separator').forEach(
        el => add('label', el));
    root.querySelectorAll('.nav-tabs > li > a').forEach(
        el => add('tab', el));
    root.querySelectorAll('button').forEach(el => add('button', el));
    root.querySelectorAll('.modal-title').forEach(el => add('title', el));
    // Graph axes and legends (billboard.js draws SVG text)
    root.querySelectorAll('svg text').forEach(el => {
        const t = text(el);
        if (t) {
            result.labels.push(['graph', t]);
            result.values.push(['graph', t]);
        }
    });
    for (const table of root.querySelectorAll('table')) {
        if (!visible(table)) {
            continue;
        }
        const heads = [];
        const head = table.querySelector(':scope > thead > tr');
        if (head) {
            for (const th of head.children) {
                const t = text(th);
                if (t && visible(th)) {
                    heads.push(t);
                    result.labels.push(['heading', t]);
                }
            }
        }
        const seen = new Set();
        for (const h of heads) {
            if (seen.has(h)) {
                result.duplicates.push(h);
            }
            seen.add(h);
        }
        // Selection and many2one cells show labels and names
        for (const cell of table.querySelectorAll(
                ':scope > tbody > tr > td .column-selection, '
                + ':scope > tbody > tr > td .column-many2one, '
                + ':scope > tbody > tr > td .column-reference')) {
            const t = text(cell);
            if (t) {
                result.values.push(['cell', t]);
            }
        }
    }
    // Form fields showing a selection or a record name
    root.querySelectorAll('select').forEach(el => {
        if (visible(el) && el.selectedIndex >= 0) {
            result.values.push(['field', text(el.options[el.selectedIndex])]);
        }
    });
    root.querySelectorAll('.form-many2one input[type=input], '
            + '.form-many2one input[type=text]').forEach(el => {
        if (visible(el) && el.value) {
            result.values.push(['field', el.value]);
        }
    });
    return result;
}

async function idle(page) {
    // sao talks to the server through jQuery.ajax: wait until quiet
    for (let quiet = 0, i = 0; quiet < 2 && i < 200; i++) {
        await page.waitForTimeout(60);
        const busy = await page.evaluate(() => jQuery.active);
        quiet = busy ? 0 : quiet + 1;
    }
}

// Log in as user: check the header and the CSV download, list the menus
async function start(browser, user) {
    const page = await login(browser, url, database, user, password);
    await page.waitForFunction(() => window.Sao && Sao.main_menu_screen
        && Sao.Session.current_session, null, {timeout: 90000});
    await idle(page);
    const report = {menus: 0, walked: 0, records: 0, findings: [],
        header: ''};
    const note = (menu, view, found) => {
        if (process.env.WALK_DEBUG) {
            console.error(user, menu, view, JSON.stringify(found));
        }
        for (const [what, t] of found.labels) {
            for (const rule of labelRules(t)) {
                report.findings.push({menu, view, what, text: t, rule});
            }
        }
        // Tryton's technical screens (models, views, translations) list
        // modules and models by their identifiers: that is their content
        const values = /^ir\./.test(found.model || '') ? [] : found.values;
        for (const [what, t] of values) {
            for (const rule of valueRules(t)) {
                report.findings.push({menu, view, what, text: t, rule});
            }
        }
        for (const t of found.duplicates) {
            report.findings.push(
                {menu, view, what: 'heading', text: t, rule: 'duplicate'});
        }
    };
    // The header: title bar and the user's name
    const header = await page.evaluate(() => ({
        title: document.title,
        user: jQuery('#user-preferences, .navbar .user, #main_navbar')
            .text().replace(/\s+/g, ' ').trim()}));
    report.header = header;
    note('(header)', 'header', {
        labels: [['title', header.title], ['user', header.user]],
        values: [], duplicates: []});

    // A CSV sao downloads (the export dialog's) starts with a BOM so
    // that Excel reads it as UTF-8
    const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.evaluate(() => Sao.common.download_file(
            '氏名\n', 'export.csv', {type: 'text/csv;charset=utf-8'})),
    ]);
    const stream = await download.createReadStream();
    const chunks = [];
    for await (const chunk of stream) {
        chunks.push(chunk);
    }
    report.csv_bom = Buffer.concat(chunks).subarray(0, 3).toString('hex')
        === 'efbbbf';

    let menus = await page.evaluate(() => Sao.rpc({
        method: 'model.ir.ui.menu.search_read',
        params: [[], 0, null, null, ['complete_name', 'action'], {}],
    }, Sao.Session.current_session).then(
        ms => ms.filter(m => m.action)));
    report.menus = menus.length;
    // WALK_MENU=name walks only the entries whose path contains it
    if (process.env.WALK_MENU) {
        menus = menus.filter(
            m => m.complete_name.includes(process.env.WALK_MENU));
    }
    return {user, page, report, note, menus, todo: []};
}

// Open each menu entry of walker.todo: its views, its tab domains, the
// first record's form and every notebook page of it
async function walk(walker) {
    const {page, report} = walker;
    for (const menu of walker.todo) {
        report.walked += 1;
        const begun = Date.now();
        console.error(walker.user, 'opens', menu.complete_name);
        try {
            await openMenu(walker, menu);
            console.error(walker.user, menu.complete_name,
                Date.now() - begun, 'ms');
        } catch (error) {
            report.findings.push({menu: menu.complete_name, view: '',
                what: 'walk', text: String(error).split('\n')[0],
                rule: 'could not be opened'});
            await page.keyboard.press('Escape');
        }
        await dismissDialogs(page, report, menu);
        // Close every tab (nothing was changed, so nothing asks); a tab
        // saves its lists' state on the server as it closes, which under
        // load may take longer than a first try waits
        for (let attempt = 0; attempt < 3; attempt++) {
            await page.evaluate(() => Promise.race([
                Promise.all([...Sao.Tab.tabs].map(tab => {
                    // a form that fills defaults on open would ask to save
                    tab.modified_save = () => jQuery.when();
                    return tab.close();
                })),
                new Promise(resolve => setTimeout(resolve, 10000))]));
            await idle(page);
            await dismissDialogs(page, report, menu);
            if (!await page.evaluate(() => Sao.Tab.tabs.length)) {
                break;
            }
        }
        if (await page.evaluate(() => Sao.Tab.tabs.length
                    || jQuery('.modal.in').length)) {
            report.findings.push({menu: menu.complete_name, view: '',
                what: 'walk', rule: 'could not be closed',
                text: await page.evaluate(() => Sao.Tab.tabs.map(
                    t => t.name_long).join(', ') + ' '
                    + jQuery('.modal.in').text().slice(0, 200))});
            break;
        }
    }
    await page.close();
    return report;
}

// A dialog left open is an error the person would have met
async function dismissDialogs(page, report, menu) {
    for (let i = 0; i < 3; i++) {
        const dialog = page.locator('.modal.in').last();
        if (!await dialog.count()) {
            break;
        }
        report.findings.push({menu: menu.complete_name, view: '',
            what: 'dialog', rule: 'error dialog',
            text: (await dialog.innerText()).replace(/\s+/g, ' ')});
        await dialog.locator('.modal-footer button').last().click();
        await idle(page);
    }
}

async function openMenu(walker, menu) {
    const {page, report, note} = walker;
    const name = menu.complete_name;
    await page.evaluate(id => {
        Sao.Action.exec_keyword(
            'tree_open', {model: 'ir.ui.menu', id}, null, false);
    }, menu.id);
    // A wizard opens a dialog, a window a tab: wait for it
    await page.waitForFunction(wizard => wizard
        ? jQuery('.modal.in').length || Sao.Tab.tabs.length
        : Sao.Tab.tabs.length, menu.action.startsWith('ir.action.wizard'),
        {timeout: 30000, polling: 50});
    await idle(page);
    const kind = await page.evaluate(() => {
        if (jQuery('.modal.in').length) {
            return 'dialog';
        }
        const tab = Sao.Tab.tabs.get_current();
        return tab && tab.screen ? 'screen' : 'other';
    });
    if (kind === 'dialog') {
        note(name, 'wizard', await page.evaluate(collect));
        // Leave by the wizard's cancel (its end state), else Escape
        const modal = page.locator('.modal.in').last();
        const footer = modal.locator('.modal-footer button');
        const cancel = modal.locator('.modal-footer .btn-link');
        const close = footer.filter({hasText: /^(閉じる|キャンセル)$/});
        if (await cancel.count()) {
            await cancel.first().click();
        } else if (await close.count()) {
            await close.first().click();
        } else {
            await page.keyboard.press('Escape');
        }
        await page.waitForFunction(() => !jQuery('.modal.in').length,
            null, {timeout: 30000, polling: 50});
        await idle(page);
        return;
    }
    if (kind === 'screen') {
        const views = await page.evaluate(() => {
            const screen = Sao.Tab.tabs.get_current().screen;
            return screen.views.map(v => v.view_type).concat(
                screen.view_to_load);
        });
        const types = [...new Set(views)];
        for (let i = 0; i < types.length; i++) {
            const type = types[i];
            if (type === 'form' && i > 0) {
                continue;
            }
            if (i > 0) {
                await page.evaluate(t => Sao.Tab.tabs.get_current()
                    .screen.switch_view(t), type);
                await idle(page);
            }
            note(name, type, await page.evaluate(collect));
            // The tab domains (今日, 予定…) each show their own list
            const tabs = page.locator(
                '#tabcontent .tab-pane.active .tab-domain a');
            const count = i === 0 ? await tabs.count() : 0;
            for (let t = 1; t < count; t++) {
                await tabs.nth(t).click();
                await idle(page);
                note(name, type, await page.evaluate(collect));
            }
            if (count > 1) {
                await tabs.nth(0).click();
                await idle(page);
            }
        }
        // The first record's form, every notebook page of it
        const opened = await page.evaluate(() => {
            const screen = Sao.Tab.tabs.get_current().screen;
            if (!screen.group.length
                    || !screen.views.concat(screen.view_to_load).some(
                        v => (v.view_type || v) === 'form')) {
                return false;
            }
            if (screen.current_view.view_type === 'form') {
                return true;
            }
            screen.current_record = screen.group[0];
            screen.switch_view('form');
            return true;
        });
        if (opened) {
            report.records += 1;
            await idle(page);
            note(name, 'form', await page.evaluate(collect));
            const pages = page.locator(
                '#tabcontent .tab-pane.active .form .nav-tabs > li > a');
            const count = await pages.count();
            for (let p = 1; p < count; p++) {
                if (!await pages.nth(p).isVisible()) {
                    continue;
                }
                await pages.nth(p).click();
                await idle(page);
                note(name, 'form', await page.evaluate(collect));
            }
        }
    }
}

const browser = await launch();
try {
    const started = Date.now();
    // login() opens each page in a context of its own; one login at a
    // time: each writes its attempt, and five at once on SQLite while the
    // other suite loads the machine left one without an answer
    const walkers = [];
    for (const user of logins) {
        walkers.push(await start(browser, user));
    }
    // Each entry is opened once, by the least busy of the groups that see
    // it: the screens are the same, and the walk stays short
    const seen = new Set();
    for (const walker of walkers) {
        for (const menu of walker.menus) {
            if (seen.has(menu.id)) {
                continue;
            }
            seen.add(menu.id);
            const free = walkers.filter(
                w => w.menus.some(m => m.id === menu.id)).reduce(
                (a, b) => (b.todo.length < a.todo.length ? b : a));
            free.todo.push(menu);
        }
    }
    const reports = await Promise.all(walkers.map(
        async walker => [walker.user, await walk(walker)]));
    const result = Object.fromEntries(reports);
    result.seconds = (Date.now() - started) / 1000;
    console.log(JSON.stringify(result));
} finally {
    await browser.close();
}
