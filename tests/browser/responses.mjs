// Log in to sao as a counselor, open 就業支援 › 診断・アンケート › 回答,
// then the first response, and take a screenshot.
// Usage: node responses.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {rows: [...], form: "..."}.
import { chromium } from 'playwright-core';

const [url, database, login, password, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
    const page = await browser.newPage({
        locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: {width: 1440, height: 900}});
    await page.goto(`${url}/#${database}`, {timeout: 90000});
    await page.waitForSelector('#login', {state: 'visible', timeout: 90000});
    await page.fill('#login', login);
    await page.keyboard.press('Enter');
    await page.waitForSelector('input[type=password]', {state: 'visible', timeout: 90000});
    await page.fill('input[type=password]', password);
    await page.keyboard.press('Enter');
    for (const name of ['就業支援', '診断・アンケート', '回答']) {
        const entry = page.locator('#menu').getByText(name, {exact: true});
        await entry.waitFor({timeout: 90000});
        await entry.click();
    }
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const texts = await rows.allInnerTexts();
    const list = screenshot && screenshot.replace(/\.png$/, '-list.png');
    if (list) {
        await page.screenshot({path: list});
    }
    // Open the diagnosis by its start date (the other cells are links)
    const row = rows.filter({hasText: '登録時診断'}).first();
    await row.locator('td').filter({hasText: /^\d{4}\/\d{2}\/\d{2}$/})
        .first().dblclick();
    await page.waitForTimeout(2000);
    const form = await page.locator('#tabcontent').innerText();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    console.log(JSON.stringify({rows: texts, form}));
} catch (error) {
    const pages = browser.contexts().flatMap(c => c.pages());
    if (screenshot && pages.length) {
        await pages[0].screenshot({path: screenshot.replace(/\.png$/, '-error.png')});
    }
    throw error;
} finally {
    await browser.close();
}
