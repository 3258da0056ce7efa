/*
 * agentapi.h - the embeddable agentapi-c library.
 *
 * agentapi-c runs a terminal coding agent under a PTY, emulates its screen
 * in memory, turns the screen into a conversation of user and agent
 * messages plus a running/stable status, and serves it over HTTP + SSE.
 *
 * Conventions (libuv's): every object is opaque; constructors are
 * aa_x_new(&out, ...) returning 0 or a negative AA_E* code; destructors
 * are aa_x_free(x) and accept NULL; options structs are zero-initialised
 * for defaults.  The library keeps no global state and never exits the
 * process.
 */
#ifndef AGENTAPI_H
#define AGENTAPI_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(AA_BUILDING_LIBRARY)
#define AA_EXTERN __attribute__((visibility("default")))
#else
#define AA_EXTERN
#endif

#define AA_VERSION_MAJOR 0
#define AA_VERSION_MINOR 13
#define AA_VERSION_PATCH 0
#define AA_VERSION_STRING "0.13.0"
#define AA_VERSION_HEX                                                         \
	((AA_VERSION_MAJOR << 16) | (AA_VERSION_MINOR << 8) | AA_VERSION_PATCH)

/*
 * Error codes.  Where an errno value fits it is used, negated; the codes
 * below -4000 are our own.
 */
#define AA_ENOMEM (-ENOMEM)
#define AA_EINVAL (-EINVAL)
#define AA_ENOENT (-ENOENT)
#define AA_EIO (-EIO)
#define AA_EAGAIN (-EAGAIN)
#define AA_ETIMEDOUT (-ETIMEDOUT)
#define AA_ECANCELED (-ECANCELED)
#define AA_E2BIG (-E2BIG)
#define AA_EBUSY (-4001)     /* the agent is not waiting for user input */
#define AA_EEMPTY (-4002)    /* the message is empty */
#define AA_EUNTRIMMED (-4003) /* the message has surrounding whitespace */
#define AA_EEXITED (-4004)   /* the agent has exited */
#define AA_ENOREACT (-4005)  /* the agent did not react to the message */
#define AA_ECORRUPT (-4006)  /* a state file could not be decoded */
#define AA_EVERSION (-4007)  /* a state file has an unsupported version */

/* Returns a static, human-readable text for an AA_E* code. */
AA_EXTERN const char *aa_strerror(int err);

/* Returns the library's version as a string such as "0.13.0". */
AA_EXTERN const char *aa_version_string(void);

/* Returns the library's version as AA_VERSION_HEX. */
AA_EXTERN unsigned int aa_version(void);

#ifdef __cplusplus
}
#endif
#endif /* AGENTAPI_H */
