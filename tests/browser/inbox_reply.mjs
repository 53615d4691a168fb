// A counselor opens 就業支援 › 問い合わせ › 受信箱, opens the inquiry
// whose subject is SUBJECT, answers it with TEXT and sends it.
// Usage: node inbox_reply.mjs URL DATABASE LOGIN PASSWORD SUBJECT TEXT SCREENSHOT
// Prints a JSON object: {rows: [...], form: "..."}.
import { chromium } from 'playwright-core';

const [url, database, login, password, subject, text, screenshot] =
    process.argv.slice(2);
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
    const page = await browser.newPage({
        locale: 'ja-JP', timezoneId: 'Asia/Tokyo',
        viewport: {width: 1440, height: 900}});
    await page.goto(`${url}/#${database}`, {timeout: 90000});
    await page.waitForSelector('#login', {state: 'visible', timeout: 90000});
    await page.fill('#login', login);
    await page.keyboard.press('Enter');
    await page.waitForSelector('input[type=password]', {state: 'visible', timeout: 90000});
    await page.fill('input[type=password]', password);
    await page.keyboard.press('Enter');
    for (const name of ['就業支援', '問い合わせ', '受信箱']) {
        const entry = page.locator('#menu').getByText(name, {exact: true});
        await entry.waitFor({timeout: 90000});
        await entry.click();
    }
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const texts = await rows.allInnerTexts();
    await page.locator('#tabcontent .treeview tbody')
        .getByText(subject, {exact: true}).first().dblclick();
    await page.waitForTimeout(1500);
    const form = await page.locator('#tabcontent').innerText();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    await page.getByRole('button', {name: '返信する'}).click();
    const dialog = page.locator('.modal-dialog').last();
    await dialog.locator('textarea').first().waitFor({timeout: 30000});
    await dialog.locator('textarea').first().fill(text);
    await dialog.getByRole('button', {name: '送信'}).click();
    await page.waitForTimeout(2000);
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
