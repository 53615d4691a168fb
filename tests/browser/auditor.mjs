// The auditor's walk-through in the back office, in Japanese.
// A counselor opens a client's file; the auditor then finds, in 監査ログ,
// who opened that file (tab 閲覧, search 利用者: "name") and what the
// coordinator downloaded (tab ダウンロード, search 職員: "name").
// Usage: node auditor.mjs URL DATABASE PASSWORD CLIENT COORDINATOR SCREENSHOT
// Prints {opened: [rows], downloads: [rows]}; SCREENSHOT gets the first
// search, SCREENSHOT with -downloads the second.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, password, client, coordinator, screenshot] =
    process.argv.slice(2);

async function search(page, text) {
    const entry = page.locator('#tabcontent .filter-box input.form-control');
    await entry.first().fill(text);
    await entry.first().press('Enter');
    await page.waitForTimeout(1500);
}

async function tab(page, name) {
    await page.locator('#tabcontent .tab-domain a[role=tab]')
        .filter({hasText: name}).first().click();
    await page.waitForTimeout(1000);
}

async function rows(page) {
    const lines = page.locator('#tabcontent .treeview tbody tr');
    await lines.first().waitFor({timeout: 90000});
    return (await lines.allInnerTexts()).map(t => t.replace(/\s+/g, ' '));
}

const browser = await launch();
await run(browser, screenshot, async () => {
    // The counselor opens the client's file
    const counselor = await login(
        browser, url, database, 'counselor1', password);
    await openMenu(counselor, ['就業支援', '相談者']);
    await rows(counselor);
    await tab(counselor, 'すべて');
    await search(counselor, client);
    await counselor.locator('#tabcontent .treeview tbody')
        .getByText(client, {exact: true}).first().dblclick();
    // the file is open when its name shows in a visible field
    await counselor.waitForFunction(name => [
        ...document.querySelectorAll('#tabcontent input')].some(
            i => i.value === name && i.offsetParent), client,
        {timeout: 90000});
    await counselor.waitForTimeout(1500);
    await counselor.close();

    // The auditor asks who opened it
    const auditor = await login(browser, url, database, 'auditor1', password);
    await openMenu(auditor, ['就業支援', '監査ログ']);
    await rows(auditor);
    await tab(auditor, '閲覧');
    await search(auditor, `利用者: "${client}"`);
    const opened = await rows(auditor);
    await auditor.screenshot({path: screenshot});

    // and what the coordinator downloaded
    await tab(auditor, 'ダウンロード');
    await search(auditor, `職員: "${coordinator}"`);
    const downloads = await rows(auditor);
    await auditor.screenshot(
        {path: screenshot.replace(/\.png$/, '-downloads.png')});
    console.log(JSON.stringify({opened, downloads}));
});
