// Log in to sao as a coordinator, open 就業支援 › 職業紹介 › 紹介 and its
// 対応待ち tab (what waits for her: answers from LINE), and take a
// screenshot.
// Usage: node introduction_work_list.mjs URL DATABASE LOGIN PASSWORD
//     SCREENSHOT
// Prints a JSON object: {tabs: [...], rows: [...]}.
import { launch, login, run } from './sao.mjs';

const [url, database, user, password, screenshot] = process.argv.slice(2);
// Japanese once the translations are loaded, English before
const MENU = ['就業支援', /^(職業紹介|Job Introductions)$/, /^(紹介|Introductions)$/];
const WAITING = /対応待ち|Waiting for Me/;

const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    for (const name of MENU) {
        const entry = page.locator('#menu').getByText(name,
            typeof name === 'string' ? {exact: true} : {});
        await entry.first().waitFor({timeout: 90000});
        await entry.first().click();
    }
    const tab = page.locator('#tabcontent .tab-domain a[role=tab]')
        .filter({hasText: WAITING}).first();
    await tab.waitFor({timeout: 90000});
    await tab.click();
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1500);
    const tabs = await page.locator('#tabcontent .tab-domain a[role=tab]')
        .allInnerTexts();
    const texts = (await rows.allInnerTexts()).map(
        t => t.replace(/\s+/g, ' '));
    if (screenshot) {
        // Wide enough for the stage and what waits
        await page.setViewportSize({width: 1920, height: 900});
        await page.waitForTimeout(1000);
        await page.screenshot({path: screenshot});
    }
    console.log(JSON.stringify({tabs, rows: texts}));
});
