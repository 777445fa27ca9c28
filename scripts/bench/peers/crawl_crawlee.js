// crawl_crawlee.js START_URL OUT.jsonl: the CPU-bound crawl with Crawlee's
// CheerioCrawler.  enqueueLinks() follows every link on the same host (the
// request queue keeps each page once); maxConcurrency 64 (as Scrapy's);
// in-memory storage (persistStorage: false); the five fields of
// bench/rules-shop.txt written as JSON Lines.  Prints `bench: records=N`.
// Run with NODE_PATH set to the folder holding crawlee's node_modules.
'use strict';
const fs = require('fs');
const { CheerioCrawler, Configuration, log } = require('crawlee');

const [start, out] = process.argv.slice(2);
log.setLevel(log.LEVELS.WARNING);
const stream = fs.createWriteStream(out);
const norm = (s) => s.replace(/[ \t\n\r\f]+/g, ' ').trim();
let records = 0;

const crawler = new CheerioCrawler({
    maxConcurrency: 64,
    maxRequestRetries: 2,
    async requestHandler({ request, $, enqueueLinks }) {
        const base = request.loadedUrl || request.url;
        const abs = (h) => { try { return new URL(h, base).href; } catch (e) { return h; } };
        const links = $('a[href]').map((i, a) => abs($(a).attr('href'))).get();
        const title = $('h1.title').first();
        const price = $('span.price').first();
        const img = $('img.main').first().attr('src');
        stream.write(JSON.stringify({
            url: request.url,
            title: title.length ? norm(title.text()) : null,
            price: price.length ? norm(price.text()) : null,
            tags: $('ul.tags li').map((i, li) => norm($(li).text())).get(),
            image: img !== undefined ? abs(img) : null,
            links,
        }) + '\n');
        records++;
        await enqueueLinks({ strategy: 'same-hostname' });
    },
}, new Configuration({ persistStorage: false }));

crawler.run([start]).then(() => {
    stream.end(() => console.log(`bench: records=${records}`));
}).catch((e) => { console.error(e); process.exit(1); });
