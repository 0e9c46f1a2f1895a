/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Forced first into every source of the shared library (posix/posix.mk):
 * the functions it exports are defined as kp_NAME, which KP_VERSIONS()
 * binds to NAME@@KIPC_POSIX_0.1 and to glibc's versions of NAME.  (A
 * plain NAME beside a NAME@VERSION alias is dropped by ld.)  Calls
 * between them stay inside the library.  The archive has plain names.
 */
#ifndef KIPC_POSIX_RENAME_H
#define KIPC_POSIX_RENAME_H
#define fstat kp_fstat
#define fstat64 kp_fstat64
#define ftruncate kp_ftruncate
#define ftruncate64 kp_ftruncate64
#define mq_close kp_mq_close
#define mq_getattr kp_mq_getattr
#define mq_notify kp_mq_notify
#define mq_open kp_mq_open
#define mq_receive kp_mq_receive
#define mq_send kp_mq_send
#define mq_setattr kp_mq_setattr
#define mq_timedreceive kp_mq_timedreceive
#define mq_timedsend kp_mq_timedsend
#define mq_unlink kp_mq_unlink
#define sem_clockwait kp_sem_clockwait
#define sem_close kp_sem_close
#define sem_destroy kp_sem_destroy
#define sem_getvalue kp_sem_getvalue
#define sem_init kp_sem_init
#define sem_open kp_sem_open
#define sem_post kp_sem_post
#define sem_timedwait kp_sem_timedwait
#define sem_trywait kp_sem_trywait
#define sem_unlink kp_sem_unlink
#define sem_wait kp_sem_wait
#define shm_open kp_shm_open
#define shm_unlink kp_shm_unlink
#endif
