// Play a newcomer in the LINE simulator page who books counseling for
// tonight 00:00-01:00 from the rich menu's 相談予約.
// Usage: node simulator_booking.mjs STANDIN_URL SCREENSHOT
// Prints one JSON line: {userId, texts: [...]} (the chat's bubbles).
import { launch, newFriend, run } from './sao.mjs';

const [url, screenshot] = process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const {page, userId, chip} = await newFriend(browser, url);
    await page.locator('#rm-image .rm-area[title="相談予約"]').click();
    for (const text of ['キャリア相談', 'チャット']) {
        await chip(text).waitFor({timeout: 30000});
        await chip(text).click();
    }
    // The evening whose night holds the next 00:00
    const now = new Date(Date.now() + 9 * 3600 * 1000);
    if (now.getUTCHours() >= 23) {
        now.setUTCDate(now.getUTCDate() + 1);
    }
    const day = `${now.getUTCMonth() + 1}/${now.getUTCDate()}(`;
    await chip(day).first().waitFor({timeout: 30000});
    await chip(day).first().click();
    await page.locator('.fx-button').first().waitFor({timeout: 30000});
    // Tonight's last hour, else (taken) the last time offered
    let time = page.locator('.fx-button', {hasText: '0:00〜1:00'});
    if (!await time.count()) {
        time = page.locator('.fx-button').last();
    }
    if (screenshot) {
        // The menu closed, to see the chat
        await page.click('#rm-bar');
        await page.waitForTimeout(500);
        await page.screenshot(
            {path: screenshot.replace(/\.png$/, '-times.png')});
    }
    await time.click();
    await chip('予約する').waitFor({timeout: 30000});
    await chip('予約する').click();
    await page.locator('.bubble', {hasText: 'ご予約を承りました'})
        .waitFor({timeout: 30000});
    await page.waitForTimeout(500);
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    const texts = await page.locator('.bubble').allInnerTexts();
    console.log(JSON.stringify({userId, texts}));
});
