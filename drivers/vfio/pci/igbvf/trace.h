/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of igbvf-vfio-pci (events/shadowvf/): state arcs and the
 * phases of a migration with their duration, refused streams with the
 * field, the mailbox replay step by step, and the dirty tracker's figures
 * at the quiesce. make bench reads the driver's share of the downtime
 * from svf_igb_phase and svf_igb_arc.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM shadowvf

#if !defined(_SVF_IGB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SVF_IGB_TRACE_H

#include <linux/pci.h>
#include <linux/tracepoint.h>

TRACE_EVENT(svf_igb_arc,
	TP_PROTO(struct pci_dev *pdev, u32 from, u32 to, int ret, u64 ns),
	TP_ARGS(pdev, from, to, ret, ns),
	TP_STRUCT__entry(
		__string(dev, pci_name(pdev))
		__field(u32, from)
		__field(u32, to)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->from = from;
		__entry->to = to;
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("%s %u->%u ret=%d us=%llu", __get_str(dev), __entry->from,
		  __entry->to, __entry->ret, __entry->ns / 1000)
);

TRACE_EVENT(svf_igb_phase,
	TP_PROTO(struct pci_dev *pdev, const char *phase, int ret, u64 ns),
	TP_ARGS(pdev, phase, ret, ns),
	TP_STRUCT__entry(
		__string(dev, pci_name(pdev))
		__string(phase, phase)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__assign_str(dev);
		__assign_str(phase);
		__entry->ret = ret;
		__entry->ns = ns;
	),
	TP_printk("%s %s ret=%d us=%llu", __get_str(dev), __get_str(phase),
		  __entry->ret, __entry->ns / 1000)
);

TRACE_EVENT(svf_igb_refused,
	TP_PROTO(struct pci_dev *pdev, const char *field, size_t len),
	TP_ARGS(pdev, field, len),
	TP_STRUCT__entry(
		__string(dev, pci_name(pdev))
		__string(field, field)
		__field(size_t, len)
	),
	TP_fast_assign(
		__assign_str(dev);
		__assign_str(field);
		__entry->len = len;
	),
	TP_printk("%s field=%s bytes=%zu", __get_str(dev), __get_str(field),
		  __entry->len)
);

TRACE_EVENT(svf_igb_replay,
	TP_PROTO(struct pci_dev *pdev, u32 msg, u32 reply, int ret),
	TP_ARGS(pdev, msg, reply, ret),
	TP_STRUCT__entry(
		__string(dev, pci_name(pdev))
		__field(u32, msg)
		__field(u32, reply)
		__field(int, ret)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->msg = msg;
		__entry->reply = reply;
		__entry->ret = ret;
	),
	TP_printk("%s msg=0x%08x reply=0x%08x ret=%d", __get_str(dev),
		  __entry->msg, __entry->reply, __entry->ret)
);

TRACE_EVENT(svf_igb_dirty,
	TP_PROTO(struct pci_dev *pdev, unsigned long touched, u32 areas,
		 u32 rx_buffers, bool lost),
	TP_ARGS(pdev, touched, areas, rx_buffers, lost),
	TP_STRUCT__entry(
		__string(dev, pci_name(pdev))
		__field(unsigned long, touched)
		__field(u32, areas)
		__field(u32, rx_buffers)
		__field(bool, lost)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->touched = touched;
		__entry->areas = areas;
		__entry->rx_buffers = rx_buffers;
		__entry->lost = lost;
	),
	TP_printk("%s touched=%lu areas=%u rx_buffers=%u lost=%d",
		  __get_str(dev), __entry->touched, __entry->areas,
		  __entry->rx_buffers, __entry->lost)
);

#endif /* _SVF_IGB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
