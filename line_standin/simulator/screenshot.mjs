// Drive the LINE simulator page in headless Chromium.
// Usage: node screenshot.mjs STANDIN_URL SCREENSHOT
//
// Opens STANDIN_URL/simulator/, checks the default rich menu is drawn, taps
// 友だち追加, then waits for the app (or a test standing in for it) to push a
// Flex bubble and a text message with quick replies to that user, takes
// SCREENSHOT, and plays the user: taps the first quick reply chip, the Flex
// bubble's primary button, and picks a date through its datetimepicker
// button.  Then taps the rich menu's first area (a postback with
// displayText), waits for the app to link another menu to the user (chat bar
// text おすすめ, closed), opens it with the chat bar and taps its first area.
// Prints one JSON line: {userId, chips: [...], flexButtons: [...],
// bubbles: [...], notes: [...], richMenu: {...}, header, linkPlaceholder}.
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
    // the default rich menu, open (selected), its image at the phone's width
    await page.locator('#rm-image img').waitFor();
    await page.waitForFunction(
        () => document.querySelector('#rm-image img').naturalWidth > 0);
    const menu = await page.evaluate(() => {
        const image = document.querySelector('#rm-image');
        const img = image.querySelector('img');
        return {
            chatBarText: document.querySelector('#rm-text').textContent,
            open: !image.hidden, areas: image.querySelectorAll('.rm-area').length,
            imageWidth: img.naturalWidth,
            fitsWidth: Math.abs(img.getBoundingClientRect().width
                - document.querySelector('#phone').clientWidth) < 1,
        };
    });
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

    // the rich menu: a postback area with displayText
    await page.locator('#rm-image .rm-area').first().click();
    await page.locator('.row.me:not(.pending) .bubble', {hasText: '相談を予約したい'}).waitFor();
    // the app links another menu to this user: shown without a reload,
    // closed (selected false) until the chat bar is tapped
    await page.locator('#rm-text', {hasText: 'おすすめ'}).waitFor({timeout: 30000});
    const switchedOpen = await page.locator('#rm-image').isVisible();
    await page.click('#rm-bar');
    await page.locator('#rm-image .rm-area').first().click();
    await page.locator('.note', {hasText: 'data=menu=jobs'}).waitFor();
    const richMenu = Object.assign(menu, {switchedOpen});

    // the header names the account; the tracked-link box our app's address
    const header = (await page.locator('#account').innerText()).trim();
    const linkPlaceholder = await page.locator('#link').getAttribute('placeholder');

    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    console.log(JSON.stringify({userId, chips, flexButtons, bubbles, notes, richMenu,
        header, linkPlaceholder}));
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
