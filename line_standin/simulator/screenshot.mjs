// Drive the LINE simulator page in headless Chromium.
// Usage: node screenshot.mjs STANDIN_URL SCREENSHOT
//
// Opens STANDIN_URL/simulator/, taps 友だち追加, then waits for the app (or
// a test standing in for it) to push a Flex bubble and a text message with
// quick replies to that user, takes SCREENSHOT, and plays the user: taps the
// first quick reply chip, the Flex bubble's primary button, and picks a date
// through its datetimepicker button.  Prints one JSON line:
// {userId, chips: [...], flexButtons: [...], bubbles: [...], notes: [...]}.
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
    const page = await browser.newPage({
        locale: 'ja-JP', viewport: {width: 400, height: 860},
        deviceScaleFactor: 2});
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${url}/simulator/`);
    const userId = (await page.locator('#uid').innerText()).trim();
    await page.click('#follow');
    await page.locator('.note', {hasText: '友だち追加しました'}).waitFor();
    // the pushed messages arrive through the page's polling
    await page.locator('#quick .chip').first().waitFor({timeout: 30000});
    await page.locator('.fx-bubble').first().waitFor({timeout: 30000});
    await page.waitForTimeout(300);
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    const chips = await page.locator('#quick .chip').allInnerTexts();
    const flexButtons = await page.locator('.fx-button').allInnerTexts();

    // a message action chip: the user's text appears on the right
    const chip = page.locator('#quick .chip').first();
    const chipText = (await chip.innerText()).trim();
    await chip.click();
    await page.locator('.row.me:not(.pending) .bubble', {hasText: chipText}).waitFor();
    await page.locator('#quick .chip').first().waitFor({state: 'detached'});
    // a postback button with displayText
    await page.locator('.fx-button.primary').first().click();
    await page.locator('.row.me:not(.pending)').nth(1).waitFor();
    // a datetimepicker button: a native date input, then a postback
    await page.locator('.fx-button.link').first().click();
    await page.fill('#picker', '2026-04-01');
    await page.click('.sheet .ok');
    await page.locator('.note', {hasText: 'date=2026-04-01'}).waitFor();

    const bubbles = await page.locator('.row.me .bubble').allInnerTexts();
    const notes = await page.locator('.note').allInnerTexts();
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    console.log(JSON.stringify({userId, chips, flexButtons, bubbles, notes}));
} catch (error) {
    // leave a picture of what the page showed
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (screenshot && pages.length) {
        await pages[0].screenshot({path: screenshot.replace(/\.png$/, '-error.png')});
    }
    throw error;
} finally {
    await browser.close();
}
