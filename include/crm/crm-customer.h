/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-customer.h: customers and the chat identities that belong to them.
 *
 * A customer is a person or company the team talks to.  An identity is one
 * chat handle (protocol plus handle normalised by the plugin) that belongs to
 * one customer; a handle is linked to at most one customer in the store.
 */
#ifndef CRM_CUSTOMER_H
#define CRM_CUSTOMER_H

#include <glib.h>
#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmCustomer:
 * @id: UUID.
 * @name: display name; never empty for a stored customer.
 * @company: (nullable): company name.
 * @email: (nullable): e-mail address as first entered.
 * @phone: (nullable): phone number as typed.
 * @phone_e164: (nullable): @phone in E.164 (`+14155550100`) when known.
 * @tags: (nullable): %NULL-terminated list of tags, without duplicates.
 * @department: (nullable): the owning department.
 * @consent: (nullable): what the customer consented to, and when, as text.
 * @custom: (nullable): free custom fields, a JSON object as text.
 * @merged_into: (nullable): id of the customer this one was merged into.
 * @created_us: creation time, UTC microseconds.
 * @updated_us: time of the last change to any field, UTC microseconds.
 *
 * A customer record.  Fields are owned by the struct; free it with
 * crm_customer_free().
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *name;
	char *company;
	char *email;
	char *phone;
	char *phone_e164;
	char **tags;
	char *department;
	char *consent;
	char *custom;
	char *merged_into;
	gint64 created_us;
	gint64 updated_us;
} CrmCustomer;

/**
 * CrmIdentity:
 * @id: UUID, derived from (@protocol, @handle) so that two replicas linking
 *   the same handle write the same entity.
 * @customer_id: the customer the handle belongs to.
 * @protocol: libpurple protocol id, e.g. `prpl-jabber`, `prpl-irc`.
 * @handle: the normalised handle (the lookup key).
 * @display: the handle as the network last showed it (used to reply).
 *
 * Since: 0.1
 */
typedef struct {
	char *id;
	char *customer_id;
	char *protocol;
	char *handle;
	char *display;
} CrmIdentity;

CrmCustomer *crm_customer_new (void);
void crm_customer_free (CrmCustomer *customer);
CrmCustomer *crm_customer_copy (const CrmCustomer *customer);
void crm_identity_free (CrmIdentity *identity);

/**
 * crm_customer_create:
 * @store: the store.
 * @fields: the new customer's fields; @fields->id is ignored unless it is a
 *   valid UUID (imports that carry their own id), and the times are set by
 *   the store.
 * @error: return location for a #GError.
 *
 * Creates a customer.  @fields->name must be non-empty after trimming
 * (%CRM_STORE_ERROR_INVALID otherwise).
 *
 * Returns: (transfer full): the new customer's id, or %NULL with @error set.
 */
char *crm_customer_create (CrmStore *store,
			   const CrmCustomer *fields,
			   GError **error);

/**
 * crm_customer_update:
 * @store: the store.
 * @customer: the customer with its new field values; @customer->id names it.
 * @error: return location for a #GError.
 *
 * Writes every field of @customer that differs from the stored record, one
 * change per field, in one transaction.  Fields not in the struct's public
 * set (times, @merged_into) are ignored.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_customer_update (CrmStore *store,
			      const CrmCustomer *customer,
			      GError **error);

/**
 * crm_customer_get:
 * @store: the store.
 * @id: a customer id.
 * @error: return location for a #GError.
 *
 * Reads a customer, following `merged_into` to the surviving record.
 * %CRM_STORE_ERROR_NOT_FOUND when there is none, or it is deleted.
 *
 * Returns: (transfer full): the customer, or %NULL with @error set.
 */
CrmCustomer *crm_customer_get (CrmStore *store,
			       const char *id,
			       GError **error);

/**
 * crm_customer_delete:
 * @store: the store.
 * @id: a customer id.
 * @error: return location for a #GError.
 *
 * Marks the customer deleted (the `deleted` field).  Its notes and history
 * stay in the change log; see the privacy functions for erasing.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_customer_delete (CrmStore *store,
			      const char *id,
			      GError **error);

/**
 * crm_customer_merge:
 * @store: the store.
 * @loser_id: the record found to be a duplicate.
 * @survivor_id: (nullable): the record it is merged into, or %NULL to undo
 *   an earlier merge of @loser_id.
 * @error: return location for a #GError.
 *
 * Merges two records found to be one person by setting `merged_into` on
 * the loser: reads of @loser_id then return the survivor, and the
 * survivor's notes, handles and history include the loser's.  Nothing is
 * lost, and clearing the merge brings the loser back as it was.  Merging a
 * record into itself, or into a record merged into it, is
 * %CRM_STORE_ERROR_INVALID; an unknown or deleted record is
 * %CRM_STORE_ERROR_NOT_FOUND.
 *
 * Returns: %TRUE on success.
 *
 * Since: 0.1
 */
gboolean crm_customer_merge (CrmStore *store,
			     const char *loser_id,
			     const char *survivor_id,
			     GError **error);

/**
 * crm_customer_find:
 * @store: the store.
 * @query: words to look for in name, company, e-mail, phone, tags and
 *   handles, or an exact customer id.
 * @limit: the most results to return.
 * @error: return location for a #GError.
 *
 * Searches customers; best matches first.  A query that is an XMPP address
 * also finds the customer linked to its bare normal form, so that
 * "Maria@Example.org/Home" finds the handle stored as "maria@example.org".
 * A query with no word in it is %CRM_STORE_ERROR_INVALID.
 *
 * Returns: (transfer full) (element-type CrmCustomer): the matches, possibly
 *   empty, or %NULL with @error set.
 */
GPtrArray *crm_customer_find (CrmStore *store,
			      const char *query,
			      guint limit,
			      GError **error);

/**
 * crm_identity_link:
 * @store: the store.
 * @customer_id: the customer.
 * @protocol: libpurple protocol id.
 * @handle: the normalised handle.
 * @display: the handle as shown by the network.
 * @error: return location for a #GError.
 *
 * Links a handle to a customer.  Linking a handle already linked to the
 * same customer updates @display; one linked to another customer fails
 * with %CRM_STORE_ERROR_CONFLICT.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_identity_link (CrmStore *store,
			    const char *customer_id,
			    const char *protocol,
			    const char *handle,
			    const char *display,
			    GError **error);

/**
 * crm_identity_unlink:
 * @store: the store.
 * @protocol: libpurple protocol id.
 * @handle: the normalised handle.
 * @error: return location for a #GError.
 *
 * Removes the link of a handle; %CRM_STORE_ERROR_NOT_FOUND if none.
 *
 * Returns: %TRUE on success.
 */
gboolean crm_identity_unlink (CrmStore *store,
			      const char *protocol,
			      const char *handle,
			      GError **error);

/**
 * crm_identity_lookup:
 * @store: the store.
 * @protocol: libpurple protocol id.
 * @handle: the normalised handle.
 * @out_customer_id: (out) (transfer full) (nullable): the customer id
 *   (after following merges), or %NULL when the handle is not linked.
 * @error: return location for a #GError.
 *
 * Returns: %TRUE on success, whether or not the handle is linked.
 */
gboolean crm_identity_lookup (CrmStore *store,
			      const char *protocol,
			      const char *handle,
			      char **out_customer_id,
			      GError **error);

/**
 * crm_identity_list:
 * @store: the store.
 * @customer_id: the customer.
 * @error: return location for a #GError.
 *
 * Returns: (transfer full) (element-type CrmIdentity): the customer's
 *   handles, or %NULL with @error set.
 */
GPtrArray *crm_identity_list (CrmStore *store,
			      const char *customer_id,
			      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCustomer, crm_customer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmIdentity, crm_identity_free)

G_END_DECLS

#endif /* CRM_CUSTOMER_H */
