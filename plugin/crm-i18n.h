/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-i18n.h: the plugin's own gettext domain.
 *
 * The client calls textdomain() for its own catalogue, so a plain gettext()
 * would look our strings up in Pidgin's or Finch's domain.  Every string of
 * ours goes through dgettext() with our domain instead; the domain is bound
 * (to UTF-8) in the plugin's load function.
 */
#ifndef CRM_I18N_H
#define CRM_I18N_H

#include <glib/gi18n-lib.h>

#endif /* CRM_I18N_H */
