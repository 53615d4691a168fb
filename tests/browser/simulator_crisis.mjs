// A person in crisis writes in the LINE simulator page: the contacts that
// fit come first and alone, then when a person from the service calls.
// Usage: node simulator_crisis.mjs STANDIN_URL TEXT SCREENSHOT
// Prints one JSON line: {userId, texts: [...]} (the chat's bubbles).
import { launch, newFriend, run } from './sao.mjs';

const [url, text, screenshot] = process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const {page, userId, chip} = await newFriend(browser, url);
    await page.fill('#text', text);
    await page.click('#send');
    await page.locator('.bubble', {hasText: 'LINEでご連絡します'})
        .waitFor({timeout: 30000});
    if (screenshot) {
        // The menu closed, to see the whole reply
        if (await page.locator('#rm-image').isVisible()) {
            await page.click('#rm-bar');
        }
        await page.waitForTimeout(500);
        await page.screenshot({path: screenshot});
    }
    const texts = await page.locator('.bubble').allInnerTexts();
    console.log(JSON.stringify({userId, texts}));
});
