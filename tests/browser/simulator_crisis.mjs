// A person in crisis writes in the LINE simulator page: the contacts that
// fit come first and alone, then when a person from the service calls.
// Usage: node simulator_crisis.mjs STANDIN_URL TEXT SCREENSHOT
// Prints one JSON line: {userId, texts: [...]} (the chat's bubbles).
import { launch, run } from './sao.mjs';

const [url, text, screenshot] = process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await browser.newPage({
        locale: 'ja-JP', viewport: {width: 400, height: 860},
        deviceScaleFactor: 2});
    await page.goto(`${url}/simulator/`);
    const userId = (await page.locator('#uid').innerText()).trim();
    await page.locator('#rm-image img').waitFor();
    await page.click('#follow');
    const chip = (label) => page.locator('#quick .chip', {hasText: label});
    // The registration diagnosis starts: pause it
    await chip('中断').waitFor({timeout: 30000});
    await chip('中断').click();
    await page.locator('#quick .chip').first().waitFor(
        {state: 'detached', timeout: 30000}).catch(() => {});
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
