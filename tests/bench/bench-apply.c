/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-apply.c: the replication benchmark of issue #3 ("Speed").
 *
 * In one run on one machine it feeds the same seeded stream of remote
 * changes, cut into CrmBatch batches, to three consumers:
 *
 *  (a) crm_sync_apply() into a fresh store file, asking for the version
 *      vector after each batch as the sync protocol does for its ACK;
 *  (b) the floor SQLite itself sets: the same field values written into
 *      plain tables of the same row shape (one row per entity, one column
 *      per field, the id as primary key, no other index) by INSERT ... ON
 *      CONFLICT DO UPDATE, one transaction per batch, in a fresh file with
 *      the store's journal pragmas (WAL, synchronous=NORMAL);
 *  (c) the sync frame encoder, to count the bytes the batches take on the
 *      wire against the raw size of their values.
 *
 * It prints one table against the targets of the issue: apply at least
 * half as fast as the plain upsert, and under 1.5 wire bytes per byte of
 * value.  It is a benchmark, not a test: a slow machine never makes it
 * fail; only an error (or a store that lost changes) does.
 *
 * The stream is what a small team emits: several origin replicas whose
 * clocks are a few seconds apart; customers created with name, company,
 * e-mail, phone and tags; notes of 50 to 500 characters in English,
 * German, French, Czech, Hindi and Russian; and edits of existing fields,
 * some of which lose the merge to a newer change.  Entity ids are derived
 * from (seed, kind, index), so the generator keeps counters only and the
 * memory used is bounded by one batch at any size.  Only the apply, upsert
 * and encode calls are timed, never the generator.
 */
#include "crm-config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>

#include "crm.h"
#ifdef BENCH_HAVE_FRAME
#include "frame-private.h"
#endif

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown"
#endif

#define BENCH_FULL_CHANGES 1000000
#define BENCH_QUICK_CHANGES 100000
#define BENCH_TARGET_SPEED 0.5	/* apply / plain upsert, at least */
#define BENCH_TARGET_WIRE 1.5	/* wire bytes / value bytes, below */

/* ------------------------------------------------------------------ */
/* Vocabulary of the generator                                          */
/* ------------------------------------------------------------------ */

typedef struct {
	const char *name;
	const char * const *words;
	guint n_words;
	guint weight;		/* share of the notes, in percent */
} Lang;

static const char * const words_en[] = {
	"customer", "called", "about", "the", "invoice", "delivery", "order",
	"refund", "asked", "for", "a", "new", "quote", "please", "follow",
	"up", "next", "week", "with", "pricing", "contract", "renewal",
	"support", "ticket", "issue", "resolved", "waiting", "on", "shipping",
	"address", "changed", "payment", "received", "discount", "offered",
	"manager", "approved", "meeting", "Tuesday", "prefers", "email",
	"phone", "not", "before", "morning", "account", "upgrade", "license",
	"seats", "trial", "extended", "complaint", "escalated", "warehouse",
	"damaged", "package", "replacement", "sent", "and", "to", "is",
};

static const char * const words_de[] = {
	"Kunde", "möchte", "einen", "Rückruf", "wegen", "der", "Lieferung",
	"die", "Rechnung", "wurde", "bereits", "bezahlt", "Größe", "geändert",
	"bitte", "Angebot", "für", "nächste", "Woche", "schicken", "Änderung",
	"Adresse", "Straße", "über", "prüfen", "Reklamation", "Ware",
	"beschädigt", "Ersatz", "versandt", "Vertrag", "verlängert", "Rabatt",
	"genehmigt", "Termin", "am", "Dienstag", "und", "mit", "dem",
	"Geschäftsführer", "gesprochen", "Zahlung", "erhalten", "ist",
};

static const char * const words_fr[] = {
	"le", "client", "a", "demandé", "un", "rappel", "la", "facture",
	"est", "déjà", "réglée", "livraison", "retardée", "à", "cause", "de",
	"grève", "très", "satisfait", "du", "service", "rendez-vous", "fixé",
	"pour", "mardi", "prochain", "après-midi", "remise", "accordée",
	"par", "responsable", "commande", "reçue", "endommagée", "échange",
	"prévu", "adresse", "modifiée", "contrat", "renouvelé", "merci",
	"envoyer", "devis", "détaillé", "où", "être", "ça", "et",
};

static const char * const words_cs[] = {
	"zákazník", "volal", "kvůli", "objednávce", "která", "přišla",
	"poškozená", "výměna", "schválena", "faktura", "už", "zaplacena",
	"prosím", "zavolat", "zítra", "ráno", "dodávka", "zpožděná", "o",
	"týden", "sleva", "dohodnuta", "s", "vedoucím", "nová", "smlouva",
	"podepsána", "děkuji", "adresa", "změněna", "reklamace", "vyřízena",
	"peníze", "vráceny", "na", "účet", "příští", "středu", "schůzka", "a",
};

static const char * const words_hi[] = {
	"ग्राहक", "ने", "कहा", "कि", "ऑर्डर", "अभी", "तक", "नहीं", "मिला",
	"है", "कृपया", "जल्दी", "भेजें", "बिल", "भुगतान", "हो", "गया",
	"धन्यवाद", "अगले", "सप्ताह", "फ़ोन", "करेंगे", "पता", "बदल", "दिया",
	"शिकायत", "दर्ज", "की", "रिफंड", "चाहिए", "सामान", "खराब", "था", "नया",
	"मैनेजर", "से", "बात", "करनी", "छूट", "दी", "गई", "डिलीवरी", "कल",
	"सुबह", "और", "में", "का", "के", "लिए",
};

static const char * const words_ru[] = {
	"клиент", "просит", "перезвонить", "завтра", "утром", "заказ", "ещё",
	"не", "получен", "счёт", "оплачен", "скидка", "согласована", "с",
	"менеджером", "доставка", "задерживается", "на", "неделю", "адрес",
	"изменён", "жалоба", "по", "поводу", "качества", "товара", "возврат",
	"денег", "оформлен", "новый", "договор", "подписан", "спасибо",
	"пожалуйста", "отправить", "копию", "документов", "электронной",
	"почте", "и", "в", "для", "позвонить", "после", "обеда", "продление",
	"лицензии",
};

#define LANG(code, weight) \
	{ #code, words_##code, G_N_ELEMENTS (words_##code), weight }

static const Lang langs[] = {
	LANG (en, 35), LANG (de, 15), LANG (fr, 10), LANG (cs, 5),
	LANG (hi, 20), LANG (ru, 15),
};

/*
 * A name as shown, the ASCII spelling its e-mail address uses, and its
 * script, so that a first and a last name are picked from the same one.
 */
typedef struct {
	const char *text;
	const char *ascii;
	char script;
} Name;

static const Name first_names[] = {
	{ "John", "john", 'L' }, { "Emily", "emily", 'L' },
	{ "José", "jose", 'L' }, { "Zoë", "zoe", 'L' },
	{ "François", "francois", 'L' }, { "Jiří", "jiri", 'L' },
	{ "Łukasz", "lukasz", 'L' }, { "Jürgen", "juergen", 'L' },
	{ "Søren", "soren", 'L' }, { "राहुल", "rahul", 'D' },
	{ "प्रिया", "priya", 'D' }, { "अमित", "amit", 'D' },
	{ "सुनीता", "sunita", 'D' }, { "Иван", "ivan", 'C' },
	{ "Ольга", "olga", 'C' }, { "Дмитрий", "dmitry", 'C' },
	{ "Анна", "anna", 'C' },
};

static const Name last_names[] = {
	{ "Smith", "smith", 'L' }, { "García", "garcia", 'L' },
	{ "Müller", "mueller", 'L' }, { "Lefèvre", "lefevre", 'L' },
	{ "Dvořák", "dvorak", 'L' }, { "Wójcik", "wojcik", 'L' },
	{ "Nørgaard", "norgaard", 'L' }, { "O'Brien", "obrien", 'L' },
	{ "शर्मा", "sharma", 'D' }, { "वर्मा", "verma", 'D' },
	{ "पटेल", "patel", 'D' }, { "गुप्ता", "gupta", 'D' },
	{ "Петров", "petrov", 'C' }, { "Смирнова", "smirnova", 'C' },
	{ "Кузнецов", "kuznetsov", 'C' }, { "Иванова", "ivanova", 'C' },
};

static const char * const companies[] = {
	"Acme Corp", "Müller & Söhne GmbH", "Société Générale de Transport",
	"Dvořák s.r.o.", "Sharma Traders", "शर्मा ट्रेडर्स",
	"ООО «Ромашка»", "Globex Ltd", "Initech", "Café Zürich AG",
	"पटेल इलेक्ट्रॉनिक्स", "АО «Северсталь»", "Łódź Logistics",
	"Nordic Fjord ApS", "Umbrella Inc.", "Björk Design",
};

static const char * const domains[] = {
	"example.com", "mail.example.de", "example.fr", "example.cz",
	"example.in", "example.ru", "customer.example.org",
};

static const struct {
	const char *cc;		/* country calling code */
	guint area_lo, area_hi;
} countries[] = {
	{ "+1", 201, 989 }, { "+49", 30, 89 }, { "+33", 1, 9 },
	{ "+420", 2, 9 }, { "+91", 11, 99 }, { "+7", 495, 499 },
};

/* Sorted, so that a subset in list order is in the stored form. */
static const char * const tag_list[] = {
	"b2b", "churn-risk", "enterprise", "newsletter", "partner",
	"reseller", "trial", "vip",
};

/* The agents behind the origin replicas: one per origin. */
static const struct {
	const char *account;
	const char *department;
} agents[] = {
	{ "anna@team.example", "support" },
	{ "raj@team.example", "support" },
	{ "olga@team.example", "sales" },
	{ "marc@team.example", "billing" },
	{ "petr@team.example", "sales" },
};

/* ------------------------------------------------------------------ */
/* The generator                                                        */
/* ------------------------------------------------------------------ */

#define GEN_ORIGINS G_N_ELEMENTS (agents)
/* In the past, so that no change counts as a clock running ahead. */
#define GEN_EPOCH_MS G_GINT64_CONSTANT (1704067200000)	/* 2024-01-01 */
#define GEN_SKEW_MS 3000	/* origins' clocks differ by up to this */

typedef enum {
	ID_ORIGIN = 1,
	ID_CUSTOMER,
	ID_NOTE,
} IdKind;

typedef struct {
	GRand *rand;
	guint64 seed;
	char origin[GEN_ORIGINS][37];
	gint64 seq[GEN_ORIGINS];
	gint64 skew_ms[GEN_ORIGINS];
	gint64 last_ts[GEN_ORIGINS];
	gint64 now_ms;		/* the team's wall clock */
	guint64 n_customers;
	guint64 n_notes;
	CrmBatch *event;	/* the changes of the current event */
	guint event_pos;	/* the next of them to hand out */
} Gen;

/* splitmix64's finaliser: ids that look random but need no memory. */
static guint64
gen_mix (guint64 x)
{
	x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* The canonical lower-case v4 UUID of entity @index of @kind. */
static void
gen_uuid (const Gen *gen, IdKind kind, guint64 index, char out[37])
{
	guint64 hi = gen_mix (gen->seed ^ gen_mix (((guint64) kind << 56) ^
						   index));
	guint64 lo = gen_mix (hi);

	hi = (hi & ~G_GUINT64_CONSTANT (0xf000)) | 0x4000;
	lo = (lo & G_GUINT64_CONSTANT (0x3fffffffffffffff)) |
	     G_GUINT64_CONSTANT (0x8000000000000000);
	g_snprintf (out, 37, "%08x-%04x-%04x-%04x-%012" G_GINT64_MODIFIER "x",
		    (guint) (hi >> 32), (guint) (hi >> 16) & 0xffff,
		    (guint) hi & 0xffff, (guint) (lo >> 48),
		    lo & G_GUINT64_CONSTANT (0xffffffffffff));
}

static guint
gen_int (Gen *gen, guint n)
{
	return (guint) g_rand_int_range (gen->rand, 0, (gint32) n);
}

#define gen_pick(gen, array) ((array)[gen_int ((gen), G_N_ELEMENTS (array))])

static void
gen_init (Gen *gen, guint64 seed)
{
	guint32 words[2] = { (guint32) seed, (guint32) (seed >> 32) };
	guint o;

	memset (gen, 0, sizeof *gen);
	gen->rand = g_rand_new_with_seed_array (words, 2);
	gen->seed = seed;
	gen->now_ms = GEN_EPOCH_MS;
	for (o = 0; o < GEN_ORIGINS; o++) {
		gen_uuid (gen, ID_ORIGIN, o, gen->origin[o]);
		gen->skew_ms[o] = g_rand_int_range (gen->rand, -GEN_SKEW_MS,
						    GEN_SKEW_MS + 1);
	}
}

static void
gen_clear (Gen *gen)
{
	g_clear_pointer (&gen->rand, g_rand_free);
	g_clear_pointer (&gen->event, crm_batch_free);
}

/* Appends one change by origin @o, with its next sequence and clock. */
static void
gen_emit (Gen *gen, guint o, CrmEntity entity, const char *id,
	  const char *field, GVariant *value)
{
	CrmSyncChange change = { 0 };
	gint64 phys = (gen->now_ms + gen->skew_ms[o]) << 16;

	change.origin = gen->origin[o];
	change.seq = ++gen->seq[o];
	change.ts = gen->last_ts[o] = MAX (phys, gen->last_ts[o] + 1);
	change.entity = entity;
	change.entity_id = (char *) id;
	change.field = (char *) field;
	change.value = g_variant_ref_sink (value);
	crm_batch_add (gen->event, &change);
	g_variant_unref (change.value);
}

static void
gen_emit_text (Gen *gen, guint o, CrmEntity entity, const char *id,
	       const char *field, const char *text)
{
	gen_emit (gen, o, entity, id, field, g_variant_new_string (text));
}

static const Lang *
gen_lang (Gen *gen)
{
	guint r = gen_int (gen, 100);
	gsize i;

	for (i = 0; i + 1 < G_N_ELEMENTS (langs); i++) {
		if (r < langs[i].weight)
			return &langs[i];
		r -= langs[i].weight;
	}
	return &langs[i];
}

/* What notes hold besides words: order numbers, times, amounts. */
static void
gen_append_token (Gen *gen, GString *text)
{
	guint a = gen_int (gen, 900000), b = gen_int (gen, 100);

	switch (gen_int (gen, 3)) {
	case 0:
		g_string_append_printf (text, "#%u", 100000 + a);
		break;
	case 1:
		g_string_append_printf (text, "%02u:%02u", 8 + a % 10,
					b % 4 * 15);
		break;
	default:
		g_string_append_printf (text, "%u.%02u", 10 + a % 5000, b);
		break;
	}
}

/* A note of @min to @max characters (not bytes) in one language. */
static char *
gen_text (Gen *gen, guint min, guint max)
{
	const Lang *lang = gen_lang (gen);
	guint target = min + gen_int (gen, max - min + 1);
	GString *text = g_string_new (NULL);
	guint sentence = 0;
	guint chars = 0;

	while (chars < target) {
		gsize from = text->len;

		if (text->len)
			g_string_append (text, sentence ? " " : ". ");
		if (gen_int (gen, 12) == 0)
			gen_append_token (gen, text);
		else
			g_string_append (text, lang->words[gen_int (
						 gen, lang->n_words)]);
		chars += (guint) g_utf8_strlen (text->str + from,
						text->len - from);
		sentence = sentence ? sentence - 1 : 4 + gen_int (gen, 9);
	}
	g_string_truncate (text, g_utf8_offset_to_pointer (text->str, target) -
			   text->str);
	return g_string_free (text, FALSE);
}

static char *
gen_tags (Gen *gen)
{
	GString *tags = g_string_new (NULL);
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (tag_list); i++) {
		if (gen_int (gen, 5) != 0)
			continue;
		if (tags->len)
			g_string_append_c (tags, '\n');
		g_string_append (tags, tag_list[i]);
	}
	return g_string_free (tags, tags->len == 0);
}

/* Both forms of one phone number, as a customer record holds them. */
static void
gen_emit_phone (Gen *gen, guint o, const char *id)
{
	guint c = gen_int (gen, G_N_ELEMENTS (countries));
	guint area = countries[c].area_lo +
		     gen_int (gen, countries[c].area_hi -
			      countries[c].area_lo + 1);
	guint number = 1000000 + gen_int (gen, 9000000);
	g_autofree char *phone = NULL;
	g_autofree char *e164 = NULL;

	phone = g_strdup_printf ("%s %u %u", countries[c].cc, area, number);
	e164 = g_strdup_printf ("%s%u%u", countries[c].cc, area, number);
	gen_emit_text (gen, o, CRM_ENTITY_CUSTOMER, id, "phone", phone);
	gen_emit_text (gen, o, CRM_ENTITY_CUSTOMER, id, "phone_e164", e164);
}

static void
gen_emit_name (Gen *gen, guint o, const char *id, gboolean with_email)
{
	const Name *first = &gen_pick (gen, first_names);
	const Name *last = &gen_pick (gen, last_names);
	g_autofree char *name = NULL;

	while (last->script != first->script)
		last = &gen_pick (gen, last_names);
	name = g_strdup_printf ("%s %s", first->text, last->text);
	gen_emit_text (gen, o, CRM_ENTITY_CUSTOMER, id, "name", name);
	if (with_email) {
		g_autofree char *email = NULL;

		email = g_strdup_printf ("%s.%s%u@%s", first->ascii,
					 last->ascii, gen_int (gen, 100),
					 gen_pick (gen, domains));
		gen_emit_text (gen, o, CRM_ENTITY_CUSTOMER, id, "email",
			       email);
	}
}

/* A new customer: the fields a local crm_customer_create() writes. */
static void
gen_customer (Gen *gen, guint o)
{
	const CrmEntity e = CRM_ENTITY_CUSTOMER;
	g_autofree char *tags = gen_tags (gen);
	char id[37];

	gen_uuid (gen, ID_CUSTOMER, gen->n_customers++, id);
	gen_emit_name (gen, o, id, TRUE);
	gen_emit_text (gen, o, e, id, "company", gen_pick (gen, companies));
	gen_emit_phone (gen, o, id);
	if (tags)
		gen_emit_text (gen, o, e, id, "tags", tags);
	gen_emit (gen, o, e, id, "created",
		  g_variant_new_int64 (gen->now_ms * 1000));
}

/* A new note on an existing customer, by the origin's agent. */
static void
gen_note (Gen *gen, guint o)
{
	const CrmEntity e = CRM_ENTITY_NOTE;
	g_autofree char *body = gen_text (gen, 50, 500);
	char id[37], customer[37];

	gen_uuid (gen, ID_NOTE, gen->n_notes++, id);
	gen_uuid (gen, ID_CUSTOMER, gen_int (gen, (guint) gen->n_customers),
		  customer);
	gen_emit_text (gen, o, e, id, "customer_id", customer);
	gen_emit_text (gen, o, e, id, "author", agents[o].account);
	gen_emit_text (gen, o, e, id, "department", agents[o].department);
	gen_emit_text (gen, o, e, id, "body", body);
	gen_emit (gen, o, e, id, "created",
		  g_variant_new_int64 (gen->now_ms * 1000));
}

/* An edit of one field of an existing customer. */
static void
gen_update (Gen *gen, guint o)
{
	const CrmEntity e = CRM_ENTITY_CUSTOMER;
	guint which = gen_int (gen, 100);
	char id[37];

	gen_uuid (gen, ID_CUSTOMER, gen_int (gen, (guint) gen->n_customers),
		  id);
	if (which < 20) {
		gen_emit_name (gen, o, id, FALSE);
	} else if (which < 30) {
		gen_emit_text (gen, o, e, id, "company",
			       gen_pick (gen, companies));
	} else if (which < 55) {
		gen_emit_phone (gen, o, id);
	} else if (which < 80) {
		g_autofree char *email = g_strdup_printf (
			"%s%u@%s", gen_pick (gen, first_names).ascii,
			gen_int (gen, 1000), gen_pick (gen, domains));

		gen_emit_text (gen, o, e, id, "email", email);
	} else {
		g_autofree char *tags = gen_tags (gen);

		gen_emit_text (gen, o, e, id, "tags", tags ? tags : "vip");
	}
}

static void
gen_note_edit (Gen *gen, guint o)
{
	g_autofree char *body = gen_text (gen, 50, 500);
	char id[37];

	gen_uuid (gen, ID_NOTE, gen_int (gen, (guint) gen->n_notes), id);
	gen_emit_text (gen, o, CRM_ENTITY_NOTE, id, "body", body);
}

/*
 * The next event of the team: 25% new customers, 50% new notes, 20%
 * customer edits, 5% note edits, by a random origin, up to two seconds
 * after the previous one.  With the clock skew between origins, an edit
 * made just after a change by another origin can order before it and lose.
 */
static void
gen_next_event (Gen *gen)
{
	guint o = gen_int (gen, GEN_ORIGINS);
	guint kind = gen_int (gen, 100);

	g_clear_pointer (&gen->event, crm_batch_free);
	gen->event = crm_batch_new ();
	gen->event_pos = 0;
	gen->now_ms += gen_int (gen, 2000);

	if (gen->n_customers == 0 || kind < 25)
		gen_customer (gen, o);
	else if (kind < 75 || gen->n_notes == 0)
		gen_note (gen, o);
	else if (kind < 95)
		gen_update (gen, o);
	else
		gen_note_edit (gen, o);
}

/* The next @n changes of the stream; events run across batches. */
static CrmBatch *
gen_batch (Gen *gen, guint n)
{
	CrmBatch *batch = crm_batch_new ();

	while (crm_batch_get_n_changes (batch) < n) {
		if (gen->event == NULL ||
		    gen->event_pos == crm_batch_get_n_changes (gen->event))
			gen_next_event (gen);
		crm_batch_add (batch, crm_batch_get_change (gen->event,
							    gen->event_pos++));
	}
	return batch;
}

/* ------------------------------------------------------------------ */
/* The plain SQLite reference                                           */
/* ------------------------------------------------------------------ */

/* The columns of the reference tables: every field the stream sets. */
static const struct {
	CrmEntity entity;
	const char *table;
	const char *column;
} plain_columns[] = {
	{ CRM_ENTITY_CUSTOMER, "customer", "name" },
	{ CRM_ENTITY_CUSTOMER, "customer", "company" },
	{ CRM_ENTITY_CUSTOMER, "customer", "email" },
	{ CRM_ENTITY_CUSTOMER, "customer", "phone" },
	{ CRM_ENTITY_CUSTOMER, "customer", "phone_e164" },
	{ CRM_ENTITY_CUSTOMER, "customer", "tags" },
	{ CRM_ENTITY_CUSTOMER, "customer", "created" },
	{ CRM_ENTITY_NOTE, "note", "customer_id" },
	{ CRM_ENTITY_NOTE, "note", "author" },
	{ CRM_ENTITY_NOTE, "note", "department" },
	{ CRM_ENTITY_NOTE, "note", "body" },
	{ CRM_ENTITY_NOTE, "note", "created" },
};

static const char plain_schema[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"PRAGMA foreign_keys = ON;"
	"CREATE TABLE customer ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" name TEXT, company TEXT, email TEXT, phone TEXT, phone_e164 TEXT,"
	" tags TEXT, created INTEGER);"
	"CREATE TABLE note ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" customer_id TEXT, author TEXT, department TEXT, body TEXT,"
	" created INTEGER);";

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *upsert[G_N_ELEMENTS (plain_columns)];
} Plain;

static gboolean
plain_fail (Plain *plain, const char *what, GError **error)
{
	g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
		     "plain SQLite reference, %s: %s", what,
		     sqlite3_errmsg (plain->db));
	return FALSE;
}

static void
plain_close (Plain *plain)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (plain->upsert); i++)
		sqlite3_finalize (plain->upsert[i]);
	sqlite3_close_v2 (plain->db);
	memset (plain, 0, sizeof *plain);
}

/* Every upsert is prepared once, as an application writing rows would. */
static gboolean
plain_open (Plain *plain, const char *path, GError **error)
{
	gsize i;

	memset (plain, 0, sizeof *plain);
	if (sqlite3_open_v2 (path, &plain->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_exec (plain->db, plain_schema, NULL, NULL, NULL) !=
	    SQLITE_OK)
		return plain_fail (plain, "open", error);
	for (i = 0; i < G_N_ELEMENTS (plain_columns); i++) {
		g_autofree char *sql = g_strdup_printf (
			"INSERT INTO %s (id, %s) VALUES (?1, ?2) "
			"ON CONFLICT (id) DO UPDATE SET %s = excluded.%s",
			plain_columns[i].table, plain_columns[i].column,
			plain_columns[i].column, plain_columns[i].column);

		if (sqlite3_prepare_v2 (plain->db, sql, -1, &plain->upsert[i],
					NULL) != SQLITE_OK)
			return plain_fail (plain, "prepare", error);
	}
	return TRUE;
}

static sqlite3_stmt *
plain_find (Plain *plain, const CrmSyncChange *change)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (plain_columns); i++) {
		if (plain_columns[i].entity == change->entity &&
		    strcmp (plain_columns[i].column, change->field) == 0)
			return plain->upsert[i];
	}
	return NULL;
}

static gboolean
plain_upsert (Plain *plain, const CrmSyncChange *change, GError **error)
{
	sqlite3_stmt *stmt = plain_find (plain, change);
	int rc;

	g_assert (stmt != NULL);
	sqlite3_bind_text (stmt, 1, change->entity_id, -1, SQLITE_STATIC);
	if (change->value == NULL)
		sqlite3_bind_null (stmt, 2);
	else if (g_variant_is_of_type (change->value, G_VARIANT_TYPE_INT64))
		sqlite3_bind_int64 (stmt, 2,
				    g_variant_get_int64 (change->value));
	else
		sqlite3_bind_text (stmt, 2,
				   g_variant_get_string (change->value, NULL),
				   -1, SQLITE_STATIC);
	rc = sqlite3_step (stmt);
	sqlite3_reset (stmt);
	if (rc != SQLITE_DONE)
		return plain_fail (plain, "upsert", error);
	return TRUE;
}

/* One batch, one transaction, as crm_sync_apply() does. */
static gboolean
plain_apply (Plain *plain, const CrmBatch *batch, GError **error)
{
	guint n = crm_batch_get_n_changes (batch);
	guint i;

	if (sqlite3_exec (plain->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return plain_fail (plain, "begin", error);
	for (i = 0; i < n; i++) {
		if (!plain_upsert (plain, crm_batch_get_change (batch, i),
				   error)) {
			sqlite3_exec (plain->db, "ROLLBACK", NULL, NULL, NULL);
			return FALSE;
		}
	}
	if (sqlite3_exec (plain->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return plain_fail (plain, "commit", error);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Bytes on the wire                                                    */
/* ------------------------------------------------------------------ */

#ifdef BENCH_HAVE_FRAME

#define WIRE_ENCODER "sync frame codec (frame.c)"

/* The batch as the CHANGES frames that carry it. */
static gboolean
wire_encode (const CrmBatch *batch, const char *sender, GBytes *key,
	     gsize *out_bytes, GError **error)
{
	guint n = crm_batch_get_n_changes (batch);
	guint i = 0;

	*out_bytes = 0;
	while (i < n) {
		g_autoptr(CrmFrame) frame = NULL;
		g_autoptr(GBytes) bytes = NULL;
		guint end = MIN (n, i + CRM_FRAME_MAX_CHANGES);

		frame = crm_frame__new (CRM_FRAME_CHANGES, sender);
		for (; i < end; i++) {
			const CrmSyncChange *s = crm_batch_get_change (batch,
								       i);
			CrmChange c = {
				s->origin, s->seq, s->ts, s->entity,
				s->entity_id, s->field, s->value,
			};

			crm_frame__add_change (frame, &c);
		}
		bytes = crm_frame__encode (frame, key, error);
		if (bytes == NULL)
			return FALSE;
		*out_bytes += g_bytes_get_size (bytes);
	}
	return TRUE;
}

#else

#define WIRE_ENCODER "STAND-IN: GVariant a(sxxysmv) + raw deflate + " \
	"10-byte header + 32-byte tag (frame.c not built)"

/*
 * Until the frame codec exists: the batch serialised as a GVariant,
 * deflated, plus the header and HMAC tag a frame will carry.  A naive
 * encoding (the origin UUID in every change), so an upper bound.
 */
static gboolean
wire_encode (const CrmBatch *batch, const char *sender, GBytes *key,
	     gsize *out_bytes, GError **error)
{
	g_autoptr(GVariant) body = NULL;
	g_autoptr(GConverter) zlib = NULL;
	g_autoptr(GOutputStream) mem = NULL;
	g_autoptr(GOutputStream) out = NULL;
	GVariantBuilder builder;
	guint i;

	g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sxxysmv)"));
	for (i = 0; i < crm_batch_get_n_changes (batch); i++) {
		const CrmSyncChange *c = crm_batch_get_change (batch, i);

		g_variant_builder_add (&builder, "(sxxysmv)", c->origin,
				       c->seq, c->ts, (guchar) c->entity,
				       c->entity_id, c->field, c->value);
	}
	body = g_variant_ref_sink (g_variant_builder_end (&builder));
	zlib = G_CONVERTER (g_zlib_compressor_new (
		G_ZLIB_COMPRESSOR_FORMAT_RAW, 9));
	mem = g_memory_output_stream_new_resizable ();
	out = g_converter_output_stream_new (mem, zlib);
	if (!g_output_stream_write_all (out, g_variant_get_data (body),
					g_variant_get_size (body), NULL,
					NULL, error) ||
	    !g_output_stream_close (out, NULL, error))
		return FALSE;
	*out_bytes = g_memory_output_stream_get_data_size (
		G_MEMORY_OUTPUT_STREAM (mem)) + 10 + 32;
	return TRUE;
}

#endif

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

typedef struct {
	gint64 changes;
	gint batch;
	gint64 seed;
	gboolean quick;
	gboolean keep;
	char *dir;
} BenchOptions;

typedef struct {
	guint64 changes;
	guint batches;
	gint64 apply_us;
	gint64 plain_us;
	gint64 wire_us;
	guint64 wire_bytes;
	guint64 value_bytes;
	gint64 log_rows;
	gint64 plain_rows;
	guint64 store_file_bytes;
	guint64 plain_file_bytes;
} BenchResult;

typedef struct {
	char *dir;
	char *store_path;
	char *plain_path;
	gboolean made_dir;
} BenchFiles;

/* Removes a database file with its WAL and shared-memory files. */
static void
bench_remove_db (const char *path)
{
	g_autofree char *wal = g_strconcat (path, "-wal", NULL);
	g_autofree char *shm = g_strconcat (path, "-shm", NULL);

	g_remove (path);
	g_remove (wal);
	g_remove (shm);
}

static guint64
bench_file_size (const char *path)
{
	GStatBuf st;

	return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* Fresh files each run: a store left by an earlier run would skip all. */
static gboolean
bench_files_init (BenchFiles *files, const char *dir, GError **error)
{
	memset (files, 0, sizeof *files);
	if (dir) {
		if (g_mkdir_with_parents (dir, 0700) != 0) {
			int saved = errno;

			g_set_error (error, G_IO_ERROR,
				     g_io_error_from_errno (saved),
				     "cannot create %s: %s", dir,
				     g_strerror (saved));
			return FALSE;
		}
		files->dir = g_strdup (dir);
	} else {
		files->dir = g_dir_make_tmp ("chatcrm-bench-XXXXXX", error);
		if (files->dir == NULL)
			return FALSE;
		files->made_dir = TRUE;
	}
	files->store_path = g_build_filename (files->dir, "bench-store.db",
					      NULL);
	files->plain_path = g_build_filename (files->dir, "bench-plain.db",
					      NULL);
	bench_remove_db (files->store_path);
	bench_remove_db (files->plain_path);
	return TRUE;
}

static void
bench_files_clear (BenchFiles *files, gboolean keep)
{
	if (!keep) {
		bench_remove_db (files->store_path);
		bench_remove_db (files->plain_path);
		if (files->made_dir)
			g_rmdir (files->dir);
	}
	g_clear_pointer (&files->dir, g_free);
	g_clear_pointer (&files->store_path, g_free);
	g_clear_pointer (&files->plain_path, g_free);
}

/* The ACK's vector is asked for, since the protocol always sends it. */
static gboolean
bench_apply (CrmStore *store, const CrmBatch *batch, gint64 *io_us,
	     GError **error)
{
	g_autoptr(CrmVector) vector = NULL;
	gint64 start = g_get_monotonic_time ();
	gboolean ok = crm_sync_apply (store, batch, &vector, error);

	*io_us += g_get_monotonic_time () - start;
	return ok;
}

static gboolean
bench_plain (Plain *plain, const CrmBatch *batch, gint64 *io_us,
	     GError **error)
{
	gint64 start = g_get_monotonic_time ();
	gboolean ok = plain_apply (plain, batch, error);

	*io_us += g_get_monotonic_time () - start;
	return ok;
}

static gboolean
bench_wire (const CrmBatch *batch, const char *sender, GBytes *key,
	    BenchResult *res, GError **error)
{
	gint64 start = g_get_monotonic_time ();
	gsize bytes = 0;

	if (!wire_encode (batch, sender, key, &bytes, error))
		return FALSE;
	res->wire_us += g_get_monotonic_time () - start;
	res->wire_bytes += bytes;
	res->value_bytes += crm_batch_get_value_bytes (batch);
	return TRUE;
}

/* Every batch goes to the three consumers in turn, then is freed. */
static gboolean
bench_loop (const BenchOptions *opts, CrmStore *store, Plain *plain,
	    BenchResult *res, GError **error)
{
	static const guint8 key_bytes[32] = "chatcrm-bench-team-key-32-bytes";
	g_autoptr(GBytes) key = g_bytes_new_static (key_bytes,
						    sizeof key_bytes);
	guint64 next_report = opts->changes / 10;
	Gen gen;
	gboolean ok = TRUE;

	gen_init (&gen, (guint64) opts->seed);
	while (ok && res->changes < (guint64) opts->changes) {
		guint n = (guint) MIN ((guint64) opts->batch,
				       (guint64) opts->changes - res->changes);
		g_autoptr(CrmBatch) batch = gen_batch (&gen, n);

		ok = bench_apply (store, batch, &res->apply_us, error) &&
		     bench_plain (plain, batch, &res->plain_us, error) &&
		     bench_wire (batch, gen.origin[0], key, res, error);
		res->changes += n;
		res->batches++;
		if (res->changes >= next_report) {
			g_printerr ("  %" G_GUINT64_FORMAT " changes...\n",
				    res->changes);
			next_report += opts->changes / 10;
		}
	}
	gen_clear (&gen);
	return ok;
}

static gboolean
bench_count (Plain *plain, gint64 *out_rows, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	ok = sqlite3_prepare_v2 (plain->db, "SELECT (SELECT count(*) FROM "
				 "customer) + (SELECT count(*) FROM note)",
				 -1, &stmt, NULL) == SQLITE_OK &&
	     sqlite3_step (stmt) == SQLITE_ROW;
	if (ok)
		*out_rows = sqlite3_column_int64 (stmt, 0);
	else
		plain_fail (plain, "count", error);
	sqlite3_finalize (stmt);
	return ok;
}

/* Opens both files, runs the loop, and checks nothing was lost. */
static gboolean
bench_run (const BenchOptions *opts, BenchFiles *files, BenchResult *res,
	   GError **error)
{
	g_autoptr(CrmStore) store = NULL;
	Plain plain;
	gboolean ok;

	store = crm_store_open (files->store_path,
				CRM_STORE_DEFAULT_BUSY_TIMEOUT_MS, error);
	if (store == NULL)
		return FALSE;
	if (!plain_open (&plain, files->plain_path, error)) {
		plain_close (&plain);
		return FALSE;
	}
	ok = bench_loop (opts, store, &plain, res, error) &&
	     crm_store_count_changes (store, &res->log_rows, error) &&
	     bench_count (&plain, &res->plain_rows, error);
	plain_close (&plain);
	g_clear_pointer (&store, crm_store_close);
	if (ok && res->log_rows != (gint64) res->changes) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
			     "the store's change log holds %" G_GINT64_FORMAT
			     " changes of %" G_GUINT64_FORMAT " applied",
			     res->log_rows, res->changes);
		ok = FALSE;
	}
	res->store_file_bytes = bench_file_size (files->store_path);
	res->plain_file_bytes = bench_file_size (files->plain_path);
	return ok;
}

/* ------------------------------------------------------------------ */
/* The report                                                           */
/* ------------------------------------------------------------------ */

static char *
bench_cpu_model (void)
{
	g_autofree char *info = NULL;
	g_auto(GStrv) lines = NULL;
	guint i;

	if (!g_file_get_contents ("/proc/cpuinfo", &info, NULL, NULL))
		return g_strdup ("unknown CPU");
	lines = g_strsplit (info, "\n", -1);
	for (i = 0; lines[i]; i++) {
		const char *colon = strchr (lines[i], ':');

		if (colon && g_str_has_prefix (lines[i], "model name"))
			return g_strstrip (g_strdup (colon + 1));
	}
	return g_strdup ("unknown CPU");
}

static void
bench_print_header (const BenchOptions *opts)
{
	g_autofree char *cpu = bench_cpu_model ();

	g_print ("chatcrm replication benchmark (issue #3)\n");
	g_print ("machine: %u CPUs (nproc), %s\n", g_get_num_processors (),
		 cpu);
	g_print ("SQLite %s, GLib %u.%u.%u, build type %s\n",
		 sqlite3_libversion (), glib_major_version,
		 glib_minor_version, glib_micro_version, BENCH_BUILDTYPE);
	g_print ("run: %" G_GINT64_FORMAT " changes in batches of %d, "
		 "seed %" G_GINT64_FORMAT ", %u origin replicas\n",
		 opts->changes, opts->batch, opts->seed,
		 (guint) GEN_ORIGINS);
	g_print ("wire encoder: %s\n\n", WIRE_ENCODER);
	/* Before the progress lines on stderr, when both go to one file. */
	fflush (stdout);
}

static void
bench_print_row (const char *figure, double ours, double ref, double ratio,
		 const char *target, const char *met)
{
	g_print ("%-26s | %12.1f | %12.1f | %6.2f | %-7s | %s\n", figure,
		 ours, ref, ratio, target, met);
}

static void
bench_print (const BenchResult *res)
{
	double n = (double) res->changes;
	double apply_s = res->apply_us / 1e6, plain_s = res->plain_us / 1e6;
	double apply_rate = n / MAX (apply_s, 1e-9);
	double plain_rate = n / MAX (plain_s, 1e-9);
	double speed = apply_rate / plain_rate;
	double wire = res->wire_bytes / n, raw = res->value_bytes / n;

	g_print ("%-26s | %12s | %12s | %6s | %-7s | %s\n", "figure",
		 "chatcrm", "plain SQLite", "ratio", "target", "met?");
	g_print ("%.26s-+-%.12s-+-%.12s-+-%.6s-+-%.7s-+-----\n",
		 "------------------------------", "--------------",
		 "--------------", "--------", "---------");
	bench_print_row ("apply, changes/s", apply_rate, plain_rate, speed,
			 ">= 0.50", speed >= BENCH_TARGET_SPEED ? "yes" : "NO");
	bench_print_row ("wire bytes/change (1)", wire, raw, wire / raw,
			 "< 1.50", wire / raw < BENCH_TARGET_WIRE ?
			 "yes" : "NO");
	bench_print_row ("apply time, s", apply_s, plain_s, apply_s / plain_s,
			 "-", "-");
	bench_print_row ("file size, MB (2)", res->store_file_bytes / 1e6,
			 res->plain_file_bytes / 1e6,
			 (double) res->store_file_bytes /
			 MAX (res->plain_file_bytes, 1), "-", "-");
	g_print ("\n(1) reference column: raw value bytes per change "
		 "(crm_batch_get_value_bytes); encoding took %.1f s.\n",
		 res->wire_us / 1e6);
	g_print ("(2) after close; the store keeps the change log "
		 "(%" G_GINT64_FORMAT " rows), the plain file only the "
		 "%" G_GINT64_FORMAT " entity rows.\n",
		 res->log_rows, res->plain_rows);
}

static gboolean
bench_parse (BenchOptions *opts, int *argc, char ***argv, GError **error)
{
	const GOptionEntry entries[] = {
		{ "changes", 0, 0, G_OPTION_ARG_INT64, &opts->changes,
		  "Number of remote changes (default 1000000)", "N" },
		{ "batch", 0, 0, G_OPTION_ARG_INT, &opts->batch,
		  "Changes per batch and transaction (default 1000)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &opts->seed,
		  "Seed of the generator (default 1)", "N" },
		{ "quick", 0, 0, G_OPTION_ARG_NONE, &opts->quick,
		  "Run 100000 changes unless --changes is given", NULL },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->dir,
		  "Directory for the two database files (default: a "
		  "temporary one)", "PATH" },
		{ "keep", 0, 0, G_OPTION_ARG_NONE, &opts->keep,
		  "Keep the database files after the run", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = NULL;

	ctx = g_option_context_new ("- replication benchmark (issue #3)");
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, argc, argv, error))
		return FALSE;
	if (opts->changes < 0)
		opts->changes = opts->quick ? BENCH_QUICK_CHANGES :
			       BENCH_FULL_CHANGES;
	if (opts->changes == 0 || opts->batch <= 0) {
		g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			     "--changes and --batch must be positive");
		return FALSE;
	}
	return TRUE;
}

int
main (int argc, char **argv)
{
	BenchOptions opts = { -1, 1000, 1, FALSE, FALSE, NULL };
	BenchResult res = { 0 };
	BenchFiles files = { 0 };
	g_autoptr(GError) error = NULL;
	gboolean ok;

	if (!bench_parse (&opts, &argc, &argv, &error)) {
		g_printerr ("bench-apply: %s\n", error->message);
		return 2;
	}
	bench_print_header (&opts);
	ok = bench_files_init (&files, opts.dir, &error) &&
	     bench_run (&opts, &files, &res, &error);
	if (ok)
		bench_print (&res);
	else
		g_printerr ("bench-apply: %s\n", error->message);
	if (files.dir)
		bench_files_clear (&files, opts.keep);
	g_free (opts.dir);
	return ok ? 0 : 1;
}
