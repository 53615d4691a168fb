// Log in to sao as a counselor, open 相談者 (Clients) and take a screenshot.
// Usage: node counselor_clients.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {menu: [...], tab: "...", rows: [...]}.
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
    const root = page.locator('#menu').getByText('就業支援', {exact: true});
    await root.waitFor({timeout: 90000});
    await root.click();
    const menuEntry = page.locator('#menu').getByText('相談者', {exact: true});
    await menuEntry.waitFor({timeout: 90000});
    const menu = await page.locator('#menu').innerText();
    await menuEntry.click();
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const tab = await page.locator('#tablist li.active').innerText();
    const texts = await rows.allInnerTexts();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    console.log(JSON.stringify({menu: menu.split('\n'), tab, rows: texts}));
} catch (error) {
    // Leave a picture of what the page showed, for the test report
    const pages = browser.contexts().flatMap(c => c.pages());
    if (screenshot && pages.length) {
        await pages[0].screenshot({path: screenshot.replace(/\.png$/, '-error.png')});
    }
    throw error;
} finally {
    await browser.close();
}
