#!/usr/bin/env node
// tests/contract/overlay.js SPEC_IN SPEC_OUT
//
// Write a copy of one of the apps' OpenAPI documents, corrected where the
// published document disagrees with what the apps really do for the
// requests Comradarr sends (shared/arr-openapi/API-NOTES.md):
//
// 1. POST {api}/command bodies carry the search fields below.  The apps
//    need them, but CommandResource does not list them and forbids extra
//    members (additionalProperties: false), so the unchanged document
//    rejects every search.  The fields are added where the apps put them:
//    to the request body of POST {api}/command (a private copy of
//    CommandResource), and to Command, the schema of the `body` member in
//    which an answer echoes the command it runs.  CommandResource itself
//    stays as published, so an answer carrying these fields at its top
//    level is still a violation.  A series-shaped app (it serves
//    {api}/series) gets episodeIds, seriesId and seasonNumber; a
//    movie-shaped app ({api}/movie) gets movieIds; an app with neither
//    (Prowlarr) gets nothing.
// 2. POST {api}/command answers 201 Created (the document only lists 200):
//    a 201 is added with exactly the published 200's content.
// 3. GET /ping needs no key (the apps mark it anonymous; the document
//    inherits the global API-key requirement): security [] on /ping only.
//
// Nothing else is touched and no validation is relaxed: every schema keeps
// additionalProperties: false.
// The published documents are read from where they live and never copied
// into the source tree; the output goes to a temporary directory.
'use strict';

const fs = require('fs');

const SERIES_FIELDS = {
	episodeIds: { type: 'array', items: { type: 'integer', format: 'int32' } },
	seriesId: { type: 'integer', format: 'int32' },
	seasonNumber: { type: 'integer', format: 'int32' },
};
const MOVIE_FIELDS = {
	movieIds: { type: 'array', items: { type: 'integer', format: 'int32' } },
};

function fail(msg) {
	process.stderr.write(`overlay: ${msg}\n`);
	process.exit(1);
}

function main(argv) {
	if (argv.length !== 2)
		fail('usage: overlay.js SPEC_IN SPEC_OUT');
	const [src, dst] = argv;
	let doc;
	try {
		doc = JSON.parse(fs.readFileSync(src, 'utf8'));
	} catch (err) {
		fail(`cannot read "${src}": ${err.message}`);
	}
	const paths = doc.paths || {};
	const api = ['/api/v3', '/api/v1'].find((p) => paths[`${p}/command`]);
	if (!api)
		fail(`"${src}" has no /api/v3/command or /api/v1/command: is it an *arr document?`);
	let extra = {};
	if (paths[`${api}/series`])
		extra = SERIES_FIELDS;
	else if (paths[`${api}/movie`])
		extra = MOVIE_FIELDS;

	const base = doc.components && doc.components.schemas &&
		doc.components.schemas.CommandResource;
	if (!base || !base.properties)
		fail(`"${src}" has no components.schemas.CommandResource`);
	const post = paths[`${api}/command`].post;
	if (!post || !post.requestBody || !post.requestBody.content)
		fail(`"${src}" has no request body for POST ${api}/command`);

	const echoed = doc.components.schemas.Command;
	if (!echoed || !echoed.properties)
		fail(`"${src}" has no components.schemas.Command`);
	const names = Object.keys(extra);
	if (names.length > 0) {
		const clash = names.filter((n) => n in base.properties || n in echoed.properties);
		if (clash.length > 0)
			fail(`"${src}" already defines ${clash.join(', ')}: review the overlay`);
		// A private copy for the request body only (see above).
		const body = JSON.parse(JSON.stringify(base));
		Object.assign(body.properties, JSON.parse(JSON.stringify(extra)));
		for (const media of Object.values(post.requestBody.content))
			media.schema = body;
		Object.assign(echoed.properties, JSON.parse(JSON.stringify(extra)));
	}

	const ok = post.responses && post.responses['200'];
	if (!ok)
		fail(`"${src}" has no 200 answer for POST ${api}/command: review the overlay`);
	if (!post.responses['201'])
		post.responses['201'] = JSON.parse(JSON.stringify(ok));

	const ping = paths['/ping'];
	if (!ping || !ping.get)
		fail(`"${src}" has no GET /ping: review the overlay`);
	for (const op of [ping.get, ping.head])
		if (op)
			op.security = [];

	fs.writeFileSync(dst, JSON.stringify(doc));
	process.stdout.write(`${JSON.stringify({ spec: src, api, body_fields: names })}\n`);
}

main(process.argv.slice(2));
