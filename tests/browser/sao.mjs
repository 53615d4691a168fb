// Shared steps for driving sao (the Tryton web client) in Chromium.
import { chromium } from 'playwright-core';

export async function launch() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
}

// A Japanese page in Tokyo time, logged in to database as login
export async function login(browser, url, database, login, password) {
    const page = await browser.newPage({
        locale: 'ja-JP', timezoneId: 'Asia/Tokyo',
        viewport: {width: 1440, height: 900}});
    await page.goto(`${url}/#${database}`, {timeout: 90000});
    await page.waitForSelector('#login', {state: 'visible', timeout: 90000});
    await page.fill('#login', login);
    await page.keyboard.press('Enter');
    // the server may take long to answer the first step of a login while
    // the other suite loads the machine (.ci/run runs both at once)
    await page.waitForSelector('input[type=password]',
        {state: 'visible', timeout: 240000});
    await page.fill('input[type=password]', password);
    await page.keyboard.press('Enter');
    return page;
}

// Click through the menu entries named in path, e.g. ['就業支援', '相談者']
export async function openMenu(page, path) {
    for (const name of path) {
        const entry = page.locator('#menu').getByText(name, {exact: true});
        await entry.waitFor({timeout: 90000});
        await entry.click();
    }
}

// Run steps; on failure leave a picture of the page next to screenshot
export async function run(browser, screenshot, steps) {
    try {
        return await steps();
    } catch (error) {
        const pages = browser.contexts().flatMap(c => c.pages());
        if (screenshot && pages.length) {
            await pages[0].screenshot(
                {path: screenshot.replace(/\.png$/, '-error.png')});
        }
        throw error;
    } finally {
        await browser.close();
    }
}

// A new friend in the LINE simulator page (phone-sized), the registration
// diagnosis paused: {page, userId, chip(label)}
export async function newFriend(browser, url) {
    const page = await browser.newPage({
        locale: 'ja-JP', viewport: {width: 400, height: 860},
        deviceScaleFactor: 2});
    await page.goto(`${url}/simulator/`);
    const userId = (await page.locator('#uid').innerText()).trim();
    await page.locator('#rm-image img').waitFor();
    await page.click('#follow');
    const chip = (label) => page.locator('#quick .chip', {hasText: label});
    await chip('中断').waitFor({timeout: 30000});
    await chip('中断').click();
    // Wait for the answer: what is sent next must come after it
    await page.locator('.bubble', {hasText: 'を中断しました'})
        .waitFor({timeout: 30000});
    return {page, userId, chip};
}
