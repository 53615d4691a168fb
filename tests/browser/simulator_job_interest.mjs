// Play a person in the LINE simulator page whose direction is clear: she
// taps 「この求人に興味あり」 on a job in the 求人 menu, then 「応募したい」 on the
// introduction her coordinator sent her.
// Usage: node simulator_job_interest.mjs STANDIN_URL USER_ID INTEREST_JOB
//     INTRODUCED_JOB SCREENSHOT
// Prints one JSON line: {texts: [...]} (the chat's bubbles).
import { launch, run } from './sao.mjs';

const [url, userId, interestJob, introducedJob, screenshot] =
    process.argv.slice(2);
// Japanese once the translations are loaded, English before
const INTEREST = /この求人に興味あり|I'm Interested/;
const APPLY = /応募したい|I Want to Apply/;

const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await browser.newPage({
        locale: 'ja-JP', viewport: {width: 400, height: 860},
        deviceScaleFactor: 2});
    // The simulator as the person the test set up (already a friend)
    await page.addInitScript(id => {
        localStorage.setItem('lineSimulator.users',
            JSON.stringify([{id, name: '利用者A'}]));
        localStorage.setItem('lineSimulator.current', id);
    }, userId);
    await page.goto(`${url}/simulator/`);
    await page.locator('#rm-image img').waitFor();
    const bubble = (title) => page.locator('.fx-bubble', {hasText: title});
    // A button of a carousel's bubble, scrolled to first
    const tap = async (button) => {
        await button.waitFor({state: 'attached', timeout: 30000});
        await button.scrollIntoViewIfNeeded();
        await button.click();
    };

    // The 求人 menu: her job list, with the button for people who may be
    // introduced
    await page.locator('#rm-image .rm-area[title*="求人"]').first().click();
    await tap(bubble(interestJob).last().locator(
        '.fx-button', {hasText: INTEREST}));
    await page.locator('.bubble',
        {hasText: /担当コーディネーターから連絡します|Your coordinator will contact you/})
        .last().waitFor({timeout: 30000});
    await page.waitForTimeout(800);
    if (screenshot) {
        // The menu closed and a tall phone: the job tapped, the answer
        // and the introduction card
        await page.click('#rm-bar');
        await page.setViewportSize({width: 400, height: 1500});
        await page.waitForTimeout(800);
        await page.screenshot({path: screenshot});
        await page.setViewportSize({width: 400, height: 860});
    }

    // The introduction her coordinator sent: she wants to apply
    const card = bubble(introducedJob).filter({has: page.locator(
        '.fx-button', {hasText: APPLY})}).first();
    await tap(card.locator('.fx-button', {hasText: APPLY}));
    await page.locator('.bubble',
        {hasText: /応募したいと担当コーディネーターに伝えました|want to apply to/})
        .last().waitFor({timeout: 30000});
    await page.waitForTimeout(800);
    if (screenshot) {
        await page.screenshot(
            {path: screenshot.replace(/\.png$/, '-apply.png')});
    }
    const texts = await page.locator('.bubble').allInnerTexts();
    console.log(JSON.stringify({texts}));
});
