/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm.h: the public API of the shared CRM store.  Include only this file.
 */
#ifndef CRM_H
#define CRM_H

#include "crm-store.h"
#include "crm-handle.h"
#include "crm-customer.h"
#include "crm-note.h"
#include "crm-interaction.h"
#include "crm-followup.h"
#include "crm-handover.h"
#include "crm-agent.h"
#include "crm-card.h"
#include "crm-import.h"
#include "crm-sync.h"

#endif /* CRM_H */
