/* tsan-glib.c — tells ThreadSanitizer about GLib's synchronisation, for the test programs of a
 * -Db_sanitize=thread build and for lectern-cli, which the cli and pages tests run (tsan_glib_dep
 * in app/meson.build links it in with -Wl,--wrap=… for each function below; README.md,
 * "Reliability"; scripts/test-sanitizers.sh --thread).
 *
 * Debian's GLib is not built with TSan, and on Linux its GMutex and GCond are futexes driven by
 * atomics inside libglib, where TSan cannot see them; GThreadPool hands work to its threads
 * through a queue guarded the same way, and g_once and g_atomic_rc_box synchronise with
 * atomics inside libglib too. Without help TSan sees no ordering at all between a thread that
 * pushes work and the thread that runs it, or between two holders of the same mutex, and
 * reports every shared access as a race. Each wrapper calls the real function and announces
 * the happens-before edge it creates (__tsan_release where GLib publishes, __tsan_acquire where
 * it consumes), so that what TSan still reports is a real race in Lectern's code.
 *
 * Only calls made from Lectern's code (the engine and the tests) are wrapped; GLib's calls to
 * itself stay as they are, which is all that is needed for the edges above. */
#include <glib.h>
#include <pthread.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

/* ---- GMutex and GCond ---- */

void __real_g_mutex_lock (GMutex *mutex);
void __real_g_mutex_unlock (GMutex *mutex);
gboolean __real_g_mutex_trylock (GMutex *mutex);
void __real_g_cond_wait (GCond *cond, GMutex *mutex);
gboolean __real_g_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time);

void __wrap_g_mutex_lock (GMutex *mutex);
void __wrap_g_mutex_unlock (GMutex *mutex);
gboolean __wrap_g_mutex_trylock (GMutex *mutex);
void __wrap_g_cond_wait (GCond *cond, GMutex *mutex);
gboolean __wrap_g_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time);

void
__wrap_g_mutex_lock (GMutex *mutex)
{
  __real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
__wrap_g_mutex_trylock (GMutex *mutex)
{
  gboolean locked = __real_g_mutex_trylock (mutex);
  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
__wrap_g_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_mutex_unlock (mutex);
}

/* Waiting unlocks the mutex and locks it again before returning. */
void
__wrap_g_cond_wait (GCond *cond, GMutex *mutex)
{
  __tsan_release (mutex);
  __real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
__wrap_g_cond_wait_until (GCond *cond, GMutex *mutex, gint64 end_time)
{
  __tsan_release (mutex);
  gboolean signalled = __real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

/* ---- GThreadPool ----
 *
 * Pushing an item publishes it to the thread that will run it: the pool runs a trampoline that
 * acquires the item before calling the real function, and releases the pool when it returns,
 * so that g_thread_pool_free (…, wait = TRUE) acquires everything the pool's threads did. */

typedef struct {
  GFunc    func;
  gpointer user_data;
} PoolFunc;

GThreadPool *__real_g_thread_pool_new (GFunc func, gpointer user_data, gint max_threads,
                                       gboolean exclusive, GError **error);
gboolean __real_g_thread_pool_push (GThreadPool *pool, gpointer data, GError **error);
void __real_g_thread_pool_free (GThreadPool *pool, gboolean immediate, gboolean wait_);

GThreadPool *__wrap_g_thread_pool_new (GFunc func, gpointer user_data, gint max_threads,
                                       gboolean exclusive, GError **error);
gboolean __wrap_g_thread_pool_push (GThreadPool *pool, gpointer data, GError **error);
void __wrap_g_thread_pool_free (GThreadPool *pool, gboolean immediate, gboolean wait_);

/* pool → its PoolFunc, freed with the pool; a plain pthread mutex, which TSan sees itself */
static pthread_mutex_t pools_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *pools;

static void
pool_trampoline (gpointer data, gpointer pool_data)
{
  PoolFunc *pool_func = pool_data;
  __tsan_acquire (data);
  pool_func->func (data, pool_func->user_data);
  __tsan_release (pool_func);
}

GThreadPool *
__wrap_g_thread_pool_new (GFunc func, gpointer user_data, gint max_threads, gboolean exclusive,
                          GError **error)
{
  PoolFunc *pool_func = g_new (PoolFunc, 1);
  pool_func->func = func;
  pool_func->user_data = user_data;
  GThreadPool *pool = __real_g_thread_pool_new (pool_trampoline, pool_func, max_threads, exclusive,
                                                error);
  if (pool == NULL)
    {
      g_free (pool_func);
      return NULL;
    }
  pthread_mutex_lock (&pools_lock);
  if (pools == NULL)
    pools = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_hash_table_insert (pools, pool, pool_func);
  pthread_mutex_unlock (&pools_lock);
  return pool;
}

gboolean
__wrap_g_thread_pool_push (GThreadPool *pool, gpointer data, GError **error)
{
  __tsan_release (data);
  return __real_g_thread_pool_push (pool, data, error);
}

void
__wrap_g_thread_pool_free (GThreadPool *pool, gboolean immediate, gboolean wait_)
{
  pthread_mutex_lock (&pools_lock);
  PoolFunc *pool_func = pools != NULL ? g_hash_table_lookup (pools, pool) : NULL;
  if (pool_func != NULL)
    g_hash_table_remove (pools, pool);
  pthread_mutex_unlock (&pools_lock);
  __real_g_thread_pool_free (pool, immediate, wait_);
  if (pool_func != NULL)
    {
      if (wait_)
        __tsan_acquire (pool_func);
      g_free (pool_func);
    }
}

/* ---- g_once ---- */

gboolean __real_g_once_init_enter (volatile void *location);
void __real_g_once_init_leave (volatile void *location, gsize result);
gboolean __wrap_g_once_init_enter (volatile void *location);
void __wrap_g_once_init_leave (volatile void *location, gsize result);

/* FALSE: another thread did the initialisation, which this one must now see. */
gboolean
__wrap_g_once_init_enter (volatile void *location)
{
  gboolean first = __real_g_once_init_enter (location);
  if (!first)
    __tsan_acquire ((void *) location);
  return first;
}

void
__wrap_g_once_init_leave (volatile void *location, gsize result)
{
  __tsan_release ((void *) location);
  __real_g_once_init_leave (location, result);
}

/* ---- g_atomic_rc_box ----
 *
 * Every release publishes what its holder did; the one that drops the last reference acquires
 * all of it before the clear function and the free, through a trampoline clear function (the
 * real one is passed in a thread-local, since it takes no user data). */

void __real_g_atomic_rc_box_release_full (gpointer mem_block, GDestroyNotify clear_func);
void __wrap_g_atomic_rc_box_release_full (gpointer mem_block, GDestroyNotify clear_func);

static __thread GDestroyNotify pending_clear;

static void
clear_trampoline (gpointer mem_block)
{
  __tsan_acquire (mem_block);
  if (pending_clear != NULL)
    pending_clear (mem_block);
}

void
__wrap_g_atomic_rc_box_release_full (gpointer mem_block, GDestroyNotify clear_func)
{
  __tsan_release (mem_block);
  GDestroyNotify outer = pending_clear;
  pending_clear = clear_func;
  __real_g_atomic_rc_box_release_full (mem_block, clear_trampoline);
  pending_clear = outer;
}
