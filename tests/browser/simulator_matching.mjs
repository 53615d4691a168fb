// Play a person in the LINE simulator page who opted in to job
// recommendations: on the morning's carousel she taps 「興味あり」 on one
// job, then 「見送る」 on another and answers 「時間が合わない」.
// Usage: node simulator_matching.mjs STANDIN_URL USER_ID INTEREST_JOB
//     DECLINE_JOB SCREENSHOT
// Prints one JSON line: {texts: [...]} (the chat's bubbles).
import { launch, run } from './sao.mjs';

const [url, userId, interestJob, declineJob, screenshot] =
    process.argv.slice(2);

const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await browser.newPage({
        locale: 'ja-JP', viewport: {width: 400, height: 860},
        deviceScaleFactor: 2});
    await page.addInitScript(id => {
        localStorage.setItem('lineSimulator.users',
            JSON.stringify([{id, name: '利用者B'}]));
        localStorage.setItem('lineSimulator.current', id);
    }, userId);
    await page.goto(`${url}/simulator/`);
    await page.locator('#rm-image img').waitFor();
    const bubble = (title) => page.locator('.fx-bubble', {hasText: title});
    const tap = async (button) => {
        await button.waitFor({state: 'attached', timeout: 30000});
        await button.scrollIntoViewIfNeeded();
        await button.click();
    };
    // The morning's carousel with its reasons
    await bubble(interestJob).last().waitFor({timeout: 30000});
    await page.click('#rm-bar');
    await bubble(interestJob).last().scrollIntoViewIfNeeded();
    await page.waitForTimeout(800);
    if (screenshot) {
        await page.setViewportSize({width: 400, height: 1300});
        await page.waitForTimeout(800);
        await page.screenshot({path: screenshot});
        await page.setViewportSize({width: 400, height: 860});
    }
    // 「興味あり」: proposed to her coordinator
    await tap(bubble(interestJob).last().locator(
        '.fx-button', {hasText: '興味あり'}));
    await page.locator('.bubble', {hasText: interestJob}).last()
        .waitFor({timeout: 30000});
    // 「見送る」, then why: the hours
    await tap(bubble(declineJob).last().locator(
        '.fx-button', {hasText: '見送る'}));
    const hours = page.locator('#quick .chip', {hasText: '時間が合わない'});
    await tap(hours);
    await page.locator('.bubble', {hasText: '早く終わる求人'}).last()
        .waitFor({timeout: 30000});
    await page.waitForTimeout(800);
    if (screenshot) {
        await page.screenshot(
            {path: screenshot.replace(/\.png$/, '-answers.png')});
    }
    const texts = await page.locator('.bubble').allInnerTexts();
    console.log(JSON.stringify({texts}));
});
