// Log in to sao as a coordinator, open 就業支援 › 職業紹介 › 定着支援 and its
// 期限超過 tab (the follow-ups past their due date), and take a screenshot.
// Usage: node follow_ups_overdue.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {tabs: [...], headers: [...], rows: [...]}.
import { launch, login, run } from './sao.mjs';

const [url, database, user, password, screenshot] = process.argv.slice(2);
const MENU = ['就業支援', '職業紹介', '定着支援'];

const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    for (const name of MENU) {
        const entry = page.locator('#menu').getByText(name, {exact: true});
        await entry.first().waitFor({timeout: 90000});
        await entry.first().click();
    }
    const tab = page.locator('#tabcontent .tab-domain a[role=tab]')
        .filter({hasText: '期限超過'}).first();
    await tab.waitFor({timeout: 90000});
    await tab.click();
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1500);
    const tabs = await page.locator('#tabcontent .tab-domain a[role=tab]')
        .allInnerTexts();
    const headers = await page.locator('#tabcontent .treeview thead th')
        .allInnerTexts();
    const texts = (await rows.allInnerTexts()).map(
        t => t.replace(/\s+/g, ' '));
    if (screenshot) {
        await page.setViewportSize({width: 1600, height: 800});
        await page.waitForTimeout(1000);
        await page.screenshot({path: screenshot});
    }
    console.log(JSON.stringify({tabs, headers, rows: texts}));
});
