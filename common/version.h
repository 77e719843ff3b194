/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OZONE_COMMON_VERSION_H
#define OZONE_COMMON_VERSION_H

#define OZONE_VERSION "0.1.0"
#define OZONE_OCI_VERSION "1.0.2"

#endif
